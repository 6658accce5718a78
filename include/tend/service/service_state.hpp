// The states a supervised service moves through (DESIGN.md, "Service states").
#pragma once

#include <optional>
#include <string_view>

namespace tend {

// completed and failed are the ends of a one-shot: it succeeded, or it failed
// for good (its retries, if any, are used up).
enum class ServiceState { stopped, starting, running, stopping, exited, backoff, fatal, completed, failed };

const char* to_string(ServiceState state);
std::optional<ServiceState> parse_service_state(std::string_view name);

// No process of the service is alive and none will be started without a new request or timer.
bool is_down(ServiceState state);
// fatal or failed: no restart will come without an operator or a reload.
bool gave_up(ServiceState state);

}  // namespace tend
