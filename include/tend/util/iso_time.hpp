// Wall-clock times as log lines carry them: 2024-05-01T12:00:00.123Z (UTC, milliseconds).
#pragma once

#include <chrono>
#include <string>

namespace tend {

std::string iso8601(std::chrono::system_clock::time_point time);

}  // namespace tend
