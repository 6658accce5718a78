#include "tend/util/iso_time.hpp"

#include <cstdio>
#include <ctime>

namespace tend {

std::string iso8601(std::chrono::system_clock::time_point time) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char buffer[40];
    std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buffer + n, sizeof buffer - n, ".%03lldZ", static_cast<long long>(ms % 1000));
    return buffer;
}

}  // namespace tend
