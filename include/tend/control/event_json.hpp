// An operator event as `tendctl events --json` prints it and `/events` sends
// it: {"time", "kind", "service", "from", "to", "reason"}, null for what it has not.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tend/supervisor/operations.hpp"

namespace tend {

nlohmann::json event_json(const OperatorEvent& event);
// The same on one line, without its newline.
std::string event_json_line(const OperatorEvent& event);

}  // namespace tend
