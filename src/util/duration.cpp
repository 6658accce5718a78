#include "tend/util/duration.hpp"

#include <charconv>
#include <cmath>

namespace tend {

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view unit(end, text.data() + text.size() - end);
    double ms_per_unit = 0;
    if (unit.empty() || unit == "s") ms_per_unit = 1000;
    else if (unit == "ms") ms_per_unit = 1;
    else if (unit == "m") ms_per_unit = 60'000;
    else if (unit == "h") ms_per_unit = 3'600'000;
    else return std::nullopt;
    double ms = value * ms_per_unit;
    // Negative, NaN and absurdly long durations are typos, not intent; the cap
    // also keeps every sum of them and every conversion to nanoseconds in range.
    if (!(ms >= 0) || ms > static_cast<double>(kMaxDuration.count())) return std::nullopt;
    return Duration(static_cast<long long>(std::llround(ms)));
}

std::string format_duration(Duration d) {
    auto ms = d.count();
    if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace tend
