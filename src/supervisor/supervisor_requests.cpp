// What the operator asks of a service (start, stop, restart, signal), and
// finding services by name or id.
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"
#include "tend/util/edit_distance.hpp"

namespace tend {

Service* Supervisor::find(const std::string& name) {
    for (auto& s : services_)
        if (s->name() == name) return s.get();
    return nullptr;
}

Service* Supervisor::find(std::uint64_t id) {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
}

Service* Supervisor::find_any(std::uint64_t id) {
    if (Service* s = find(id)) return s;
    for (auto& s : retiring_)
        if (s->id() == id) return s.get();
    return nullptr;
}

void Supervisor::index_services() {
    by_id_.clear();
    for (auto& s : services_) by_id_.emplace(s->id(), s.get());
    services_replaced_listeners_.for_each([](const std::function<void()>& listener) { listener(); });
}

std::string Supervisor::no_such_service(const std::string& name) const {
    std::vector<std::string> names;
    for (const auto& s : services_) names.push_back(s->name());
    auto match = closest_match(name, names);
    return "no such service: " + name + (match ? " (did you mean " + *match + "?)" : "");
}

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
