// The states a supervised service moves through (DESIGN.md, "Service states").
#pragma once

#include <optional>
#include <string_view>

namespace tend {

enum class ServiceState { stopped, starting, running, stopping, exited, backoff, fatal };

const char* to_string(ServiceState state);
std::optional<ServiceState> parse_service_state(std::string_view name);

// No process of the service is alive and none will be started without a new request or timer.
bool is_down(ServiceState state);

}  // namespace tend
