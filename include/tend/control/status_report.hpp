// A service's status and tend's health as the control protocol encodes them.
#pragma once

#include <nlohmann/json.hpp>

#include "tend/supervisor/operations.hpp"

namespace tend {

// {"name","state","pid","uptime","restarts","last_exit","fatal_reason","blocked_reason","waiting","stopped_by_operator","want",
//  "status_text","health"} and, with a health check, "health_check": {failures, retries, output, checked_ago, took}
nlohmann::json encode_status(const ServiceStatus& status);
// {"healthy","problems"}
nlohmann::json encode_health(const HealthReport& report);

}  // namespace tend
