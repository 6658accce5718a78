// A service's status and tend's health as the control protocol encodes them.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "tend/supervisor/operations.hpp"

namespace tend {

// {"name","state","pid","uptime","restarts","last_exit","fatal_reason","blocked_reason","waiting","stopped_by_operator","want",
//  "status_text","health"} and, with a health check, "health_check": {failures, retries, output, checked_ago, took}
nlohmann::json encode_status(const ServiceStatus& status);
// The whole reply line of `status`, byte for byte what encode_ok(array of
// encode_status) dumps, written straight into one string: the reply of a
// hundred services is one buffer, not a tree of a few thousand allocations.
std::string encode_status_reply(std::span<const ServiceStatus> services);
// {"healthy","problems"}
nlohmann::json encode_health(const HealthReport& report);

}  // namespace tend
