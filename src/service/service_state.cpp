#include "tend/service/service_state.hpp"

#include "tend/service/goal.hpp"

namespace tend {

const char* to_string(ServiceState state) {
    switch (state) {
        case ServiceState::stopped: return "stopped";
        case ServiceState::starting: return "starting";
        case ServiceState::running: return "running";
        case ServiceState::stopping: return "stopping";
        case ServiceState::exited: return "exited";
        case ServiceState::backoff: return "backoff";
        case ServiceState::fatal: return "fatal";
        case ServiceState::completed: return "completed";
        case ServiceState::failed: return "failed";
    }
    return "?";
}

std::optional<ServiceState> parse_service_state(std::string_view name) {
    for (auto s : {ServiceState::stopped, ServiceState::starting, ServiceState::running, ServiceState::stopping,
                   ServiceState::exited, ServiceState::backoff, ServiceState::fatal, ServiceState::completed,
                   ServiceState::failed})
        if (name == to_string(s)) return s;
    return std::nullopt;
}

const char* to_string(Want want) {
    switch (want) {
        case Want::up: return "up";
        case Want::down: return "down";
        case Want::once: return "once";
    }
    return "?";
}

bool is_down(ServiceState state) {
    switch (state) {
        case ServiceState::stopped:
        case ServiceState::exited:
        case ServiceState::fatal:
        case ServiceState::completed:
        case ServiceState::failed:
            return true;
        case ServiceState::starting:
        case ServiceState::running:
        case ServiceState::stopping:
        case ServiceState::backoff:
            return false;
    }
    return false;
}

}  // namespace tend

namespace tend {

bool gave_up(ServiceState state) { return state == ServiceState::fatal || state == ServiceState::failed; }

}  // namespace tend
