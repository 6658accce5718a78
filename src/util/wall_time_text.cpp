#include "tend/util/wall_time_text.hpp"

#include <ctime>

namespace tend {

std::string rfc3339_local(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &local);
    std::string out(text, n);
    if (out.size() >= 5) out.insert(out.size() - 2, ":");  // strftime's +0100 is RFC 3339's +01:00
    return out;
}

}  // namespace tend
