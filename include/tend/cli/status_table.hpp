// `tendctl status` as people read it: one aligned line per service, like
// supervisorctl's `web  RUNNING  pid 42, uptime 1:02:03`.
#pragma once

#include <span>
#include <string>

#include "tend/cli/status_reply.hpp"

namespace tend {

std::string format_status_table(std::span<const StatusRow> services, bool colour);
std::string format_uptime(double seconds);  // "0:00:05", "1 day, 2:03:04"

}  // namespace tend
