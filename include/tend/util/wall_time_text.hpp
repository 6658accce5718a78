// A wall time as RFC 3339 in the container's local time (TZ):
// 2026-12-05T02:30:00+01:00, what the control protocol sends.
#pragma once

#include <chrono>
#include <string>

namespace tend {

std::string rfc3339_local(std::chrono::system_clock::time_point t);

}  // namespace tend
