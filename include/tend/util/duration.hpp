// Durations as written in tend.yaml: "250ms", "10s", "2m", "1h", Go's (and so
// compose's) sums such as "1m30s" or "1h2m3s" (units h, m, s, ms, us, ns), or a
// bare number of seconds (fractions allowed: "0.5" is 500ms).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tend {

using Duration = std::chrono::milliseconds;

// The longest duration a config or command line may give: 87600h (10 years).
inline constexpr Duration kMaxDuration = std::chrono::hours(87600);

std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);

}  // namespace tend
