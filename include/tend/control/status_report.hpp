// A service's status as the control protocol reports it.
#pragma once

#include <nlohmann/json.hpp>

#include "tend/supervisor/service.hpp"

namespace tend {

// {"name","state","pid","uptime","restarts","last_exit","fatal_reason","blocked_reason","stopped_by_operator","want"}
nlohmann::json status_of(const Service& service, TimePoint now);

}  // namespace tend
