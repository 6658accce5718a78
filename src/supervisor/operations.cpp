// Lookup, the reads (status, health) and the requests carried out at once;
// the waits for their completion are in operations_wait.cpp, logs in
// operations_logs.cpp.
#include "tend/supervisor/operations.hpp"

#include <algorithm>
#include <unordered_set>

namespace tend {
namespace {

// "waiting for redis: not ready yet (12s)", or "" when it is not waiting.
std::string waiting_text(const Service& s, TimePoint now) {
    if (s.waiting_for.empty()) return "";
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - s.waiting_since);
    return "waiting for " + s.waiting_for + " (" + format_duration(seconds) + ")";
}

std::string describe_failure(const Service& s) {
    const auto& m = s.machine();
    if (!m.fatal_reason().empty()) return s.name() + ": " + to_string(m.state()) + ": " + m.fatal_reason();
    std::string exit = m.last_exit() ? m.last_exit()->describe() : "no exit status";
    return s.name() + ": failed to start (" + to_string(m.state()) + ", " + exit + ")";
}

// A service by its name, or every instance of a `replicas:` set by the set's name.
std::vector<Service*> services_named(Supervisor& supervisor, const std::string& name) {
    if (Service* s = supervisor.services().find(name)) return {s};
    std::vector<Service*> instances;
    for (const auto& s : supervisor.services())
        if (s->spec().replica_of == name) instances.push_back(s.get());
    return instances;
}

}  // namespace

std::vector<Service*> Operations::lookup(const std::vector<std::string>& names, bool empty_means_all) const {
    std::vector<Service*> out;
    if (names.empty() && !empty_means_all) throw Refusal("name at least one service, or 'all'");
    // Every name is checked before anything is done, 'all' or not: a typo beside it is still a typo.
    std::vector<std::vector<Service*>> named;
    for (const auto& name : names) {
        if (name == "all") continue;
        named.push_back(services_named(supervisor_, name));
        // A replicas: set with no instance is still a name (tendctl scale gives it some).
        if (named.back().empty() && !supervisor_.replica_sets().contains(name))
            throw Refusal(supervisor_.services().no_such_service(name));
    }
    if (names.empty() || std::find(names.begin(), names.end(), "all") != names.end()) {
        for (const auto& s : supervisor_.services()) out.push_back(s.get());
        return out;
    }
    std::unordered_set<const Service*> seen;
    for (const auto& services : named)
        for (Service* s : services)
            if (seen.insert(s).second) out.push_back(s);
    return out;
}

std::optional<pid_t> Operations::main_pid(const Service& service) const {
    if (service.pid > 0) return service.pid;
    return std::nullopt;
}

void Operations::refuse_during_shutdown() const {
    if (supervisor_.shutting_down()) throw Refusal("tend is shutting down");
}

// Asks the supervisor for `act` on each service, refusing on the first "why not".
LifecycleRequest Operations::carry_out(LifecycleRequest::Kind kind, std::vector<Service*> services,
                                       std::string (Supervisor::*act)(Service&)) {
    LifecycleRequest request{kind, std::move(services), supervisor_.clock().now()};
    for (Service* s : request.services)
        if (std::string error = (supervisor_.*act)(*s); !error.empty()) throw Refusal(error);
    return request;
}

LifecycleRequest Operations::start(std::vector<Service*> services) {
    refuse_during_shutdown();
    return carry_out(LifecycleRequest::Kind::start, std::move(services), &Supervisor::start);
}

LifecycleRequest Operations::restart(std::vector<Service*> services) {
    refuse_during_shutdown();
    return carry_out(LifecycleRequest::Kind::restart, std::move(services), &Supervisor::restart);
}

LifecycleRequest Operations::stop(std::vector<Service*> services, bool with_dependants) {
    auto dependants = running_dependants(services);
    if (!dependants.empty() && !with_dependants) {
        std::string names;
        for (const Service* d : dependants) names += (names.empty() ? "" : ", ") + d->name();
        throw Refusal("running services depend on it: " + names +
                      " (stop them too, first, with --with-dependants; or name them)");
    }
    services.insert(services.end(), dependants.begin(), dependants.end());
    return carry_out(LifecycleRequest::Kind::stop, std::move(services), &Supervisor::stop);
}

std::vector<Service*> Operations::signal(const std::vector<Service*>& services, int sig) {
    std::vector<Service*> sent;
    for (Service* s : services) {
        std::string error = supervisor_.signal(*s, sig);
        if (!error.empty() && services.size() == 1) throw Refusal(error);
        if (error.empty()) sent.push_back(s);
    }
    return sent;
}

ServiceStatus Operations::status(const Service& service) const {
    const ServiceMachine& m = service.machine();
    ServiceStatus out;
    out.name = service.name();
    out.state = service.blocked_reason.empty() ? to_string(m.state()) : "blocked";
    out.blocked_reason = service.blocked_reason;
    out.waiting = waiting_text(service, supervisor_.clock().now());
    if (service.pid > 0) {
        out.pid = service.pid;
        out.uptime_seconds = std::chrono::duration<double>(supervisor_.clock().now() - service.started_at).count();
    }
    out.restarts = m.restarts();
    out.last_exit = m.last_exit();
    out.fatal_reason = m.fatal_reason();
    out.stopped_by_operator = service.goal.stopped_by_operator();
    out.want = service.goal.want;
    if (const Scheduler* scheduler = supervisor_.scheduler()) {
        out.job = scheduler->times(service);
        if (out.job && out.job->next)
            out.next_run_in = std::chrono::duration<double>(*out.job->next - supervisor_.clock().wall_now()).count();
    }
    if (service.checks) {
        out.status_text = service.checks->status_text();
        const HealthState& h = service.checks->health();
        if (h.verdict != HealthState::Verdict::none) {
            out.health = to_string(h.verdict);
            out.health_failures = h.failures;
            out.health_retries = service.spec().health.retries;
            out.health_output = h.last_output;
            if (h.last_at != std::chrono::steady_clock::time_point{}) {
                out.health_checked_ago = std::chrono::duration<double>(supervisor_.clock().now() - h.last_at).count();
                out.health_took = std::chrono::duration<double>(h.last_took).count();
            }
        }
        if (h.verdict == HealthState::Verdict::unhealthy && !is_down(m.state())) out.state = "unhealthy";
    }
    return out;
}

HealthReport Operations::health() const { return report(lookup({}, true), true); }

HealthReport Operations::health(const std::vector<Service*>& services) const { return report(services, true); }

HealthReport Operations::readiness() const { return report(lookup({}, true), false); }

HealthReport Operations::report(const std::vector<Service*>& services, bool health_checks) const {
    HealthReport report;
    for (Service* s : services) {
        if (s->goal.stopped_by_operator()) continue;
        ServiceView v = s->view();
        bool expected_up = s->spec().autostart || s->started_at != TimePoint{};
        if (!s->blocked_reason.empty()) {
            report.problems.push_back(s->name() + " is blocked (" + s->blocked_reason + ")");
            continue;
        }
        if (!s->waiting_for.empty()) {
            report.problems.push_back(s->name() + " is " + waiting_text(*s, supervisor_.clock().now()));
            continue;
        }
        if (!expected_up || v.exited_successfully) continue;
        if (v.state != ServiceState::running) {
            report.problems.push_back(s->name() + " is " + to_string(v.state));
            continue;
        }
        const HealthState* h = s->checks && health_checks ? &s->checks->health() : nullptr;
        if (!h || !s->spec().health.enabled()) continue;
        if (h->verdict == HealthState::Verdict::unhealthy || h->failures > 0)
            report.problems.push_back(s->name() + " is unhealthy (" + std::to_string(h->failures) + " of " +
                                      std::to_string(s->spec().health.retries) + " checks failed: " + h->last_output + ")");
        else if (!h->passed_once)
            report.problems.push_back(s->name() + " has not passed its health check yet");
    }
    if (supervisor_.shutting_down()) report.problems.push_back("tend is shutting down");
    return report;
}

std::optional<std::string> Operations::start_outcome(const Service& s, TimePoint since, bool new_process) const {
    ServiceView view = s.view();
    if (view.state == ServiceState::running && (!new_process || s.started_at >= since)) return std::string();
    if ((view.state == ServiceState::completed || (view.state == ServiceState::exited && view.exited_successfully)) &&
        s.started_at >= since)
        return std::string();
    if (s.machine().since() >= since &&
        (gave_up(view.state) || view.state == ServiceState::backoff || view.state == ServiceState::exited))
        return describe_failure(s);
    if (view.state == ServiceState::stopped && !s.goal.start_owed()) return s.name() + ": stopped before it started";
    if (!s.blocked_reason.empty()) return s.name() + ": blocked: " + s.blocked_reason;
    return std::nullopt;
}

std::vector<Service*> Operations::running_dependants(const std::vector<Service*>& services) const {
    const auto& all = supervisor_.services();
    std::vector<bool> seen(all.size(), false);
    for (const Service* s : services) seen[s->index()] = true;
    std::vector<std::size_t> todo;
    for (const Service* s : services) todo.push_back(s->index());
    std::vector<Service*> out;
    while (!todo.empty()) {
        std::size_t i = todo.back();
        todo.pop_back();
        for (std::size_t d : supervisor_.graph().dependents(i)) {
            if (seen[d]) continue;
            seen[d] = true;
            Service& dependant = all[d];
            if (!is_down(dependant.state()) && dependant.state() != ServiceState::stopping) out.push_back(&dependant);
            todo.push_back(d);  // its own dependants too, also through one that is down
        }
    }
    return out;
}

Duration Operations::stop_budget(const std::vector<Service*>& services) {
    Duration total{0};
    for (const Service* s : services) total += s->spec().stop_timeout;
    return total;
}

}  // namespace tend
