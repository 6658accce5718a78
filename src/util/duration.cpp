#include "tend/util/duration.hpp"

#include <cmath>

#include "tend/util/decimal_number.hpp"

namespace tend {
namespace {

// Milliseconds per unit; Go's units, so compose files' `1m30s` and `500ms` read as written.
std::optional<double> unit_ms(std::string_view unit) {
    if (unit == "h") return 3'600'000;
    if (unit == "m") return 60'000;
    if (unit == "s") return 1000;
    if (unit == "ms") return 1;
    if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") return 1e-3;  // us, µs (micro sign and mu)
    if (unit == "ns") return 1e-6;
    return std::nullopt;
}

bool unit_char(char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; }

// "1.5" reads as 1.5; "1e3", "inf" and "-1" are not numbers here (from_chars would take them).
std::optional<double> plain_number(std::string_view text) {
    if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
    return parse_decimal_number(text);
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    double ms = 0;
    if (auto seconds = plain_number(text)) {  // a bare number of seconds, only alone: "1h30" is a typo
        ms = *seconds * 1000;
    } else {
        if (text.empty()) return std::nullopt;
        for (std::string_view rest = text; !rest.empty();) {  // Go's form: numbers each with its unit, summed
            std::size_t number_end = rest.find_first_not_of("0123456789.");
            if (number_end == std::string_view::npos) return std::nullopt;
            std::size_t unit_end = number_end;
            while (unit_end < rest.size() && unit_char(rest[unit_end])) ++unit_end;
            auto value = plain_number(rest.substr(0, number_end));
            auto per_unit = unit_ms(rest.substr(number_end, unit_end - number_end));
            if (!value || !per_unit) return std::nullopt;
            ms += *value * *per_unit;
            rest.remove_prefix(unit_end);
        }
    }
    // Absurdly long durations are typos, not intent; the cap also keeps every
    // sum of them and every conversion to nanoseconds in range.
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
