// What the operator asks of services by name (start, stop, restart, signal),
// and finding services by name or id.
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

std::string Supervisor::start_service(const std::string& name) {
    Service* s = find(name);
    if (!s) return no_such_service(name);
    if (shutting_down()) return "shutting down";
    s->goal = wanted(Want::up);
    schedule_starts();
    return "";
}

std::string Supervisor::stop_service(const std::string& name) {
    Service* s = find(name);
    if (!s) return no_such_service(name);
    s->goal = wanted(Want::down, true);
    schedule_progress();  // after every service of the request is marked, so their order holds
    return "";
}

std::string Supervisor::restart_service(const std::string& name) {
    Service* s = find(name);
    if (!s) return no_such_service(name);
    if (shutting_down()) return "shutting down";
    s->goal = {Want::up, false, true};  // the restart below is the step
    dispatch(*s, {EventKind::restart, {}, {}});
    return "";
}

std::string Supervisor::signal_service(const std::string& name, int sig) {
    Service* s = find(name);
    if (!s) return no_such_service(name);
    if (s->pgid <= 0) return name + " is not running";
    send_signal(*s, sig, true);
    return "";
}

}  // namespace tend
