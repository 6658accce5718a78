// What the operator asks of a service (start, stop, restart, signal).
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"

namespace tend {

std::string Supervisor::start(Service& service) {
    if (shutting_down()) return "shutting down";
    service.goal = wanted(service.run_want());
    schedule_starts();
    return "";
}

std::string Supervisor::stop(Service& service) {
    service.goal = wanted(Want::down, true);
    schedule_progress();  // after every service of the request is marked, so their order holds
    return "";
}

std::string Supervisor::restart(Service& service) {
    if (shutting_down()) return "shutting down";
    service.goal = {service.run_want(), false, true};  // the restart below is the step
    runner_.dispatch(service, {EventKind::restart, {}, {}});
    restart_dependants(service);
    return "";
}

// Compose's `depends_on: {X: {restart: true}}`: when the operator restarts X,
// or a reload replaces it, each dependant that is up stops now and starts
// again once X meets its condition again (a restart of its own would race
// X's). One a reload replaces too restarts anyway.
void Supervisor::restart_dependants(const Service& service) {
    for (auto& s : services_) {
        const auto& deps = s->spec().depends_on;
        const bool follows = std::any_of(deps.begin(), deps.end(), [&](const Dependency& d) {
            return d.restart && d.name == service.name();
        });
        if (!follows || is_down(s->state()) || s->goal.want == Want::down || reload_.replacing(*s)) continue;
        spdlog::info("{}: restarting with {} (depends_on restart: true)", s->name(), service.name());
        s->goal = wanted(s->run_want());
        runner_.dispatch(*s, {EventKind::stop, {}, {}});
        restart_dependants(*s);
    }
    schedule_progress();
}

std::string Supervisor::signal(Service& service, int sig) {
    if (service.scope.empty()) return service.name() + " is not running";
    runner_.send_signal(service, sig, true);
    return "";
}

}  // namespace tend
