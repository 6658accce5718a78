// Dependency order at run time: starts wait for their dependencies, operator
// stops for their dependents, and a service whose dependency gave up is blocked.
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"

namespace tend {

void Supervisor::schedule_progress() {
    EventLoop::schedule(progress_source_.get());
}

void Supervisor::progress() {
    if (shutting_down()) {
        advance_shutdown();
        return;
    }
    advance_reload();
    schedule_stops();
    schedule_starts();
}

// Operator stops go in reverse dependency order: a service waits for those of
// its dependents that are being stopped too. Unrelated ones stop together,
// signalled in reverse config order (a set's instances highest first).
void Supervisor::schedule_stops() {
    std::vector<ServiceView> views;
    auto leaving = [this](std::size_t d) {
        const Service& dependent = *services_[d];
        return (dependent.goal.stop_owed() || dependent.state() == ServiceState::stopping) && !is_down(dependent.state());
    };
    for (auto it = services_.rbegin(); it != services_.rend(); ++it) {
        Service* s = it->get();
        if (!s->goal.stop_owed()) continue;
        if (views.empty())
            for (const auto& other : services_) views.push_back(other->view());
        if (dependent_blocks(graph_, s->index(), views, leaving)) continue;
        s->goal.reached = true;
        runner_.dispatch(*s, {EventKind::stop, {}, {}});
    }
}

void Supervisor::schedule_starts() {
    if (shutting_down()) return;
    std::vector<ServiceView> views;
    for (const auto& s : services_) views.push_back(s->view());
    // A service a reload is replacing does not satisfy its dependents until the new one runs.
    for (const auto& s : services_)
        if (reload_.replacing(*s)) views[s->index()] = {ServiceState::stopped, false};
    for (std::size_t i : start_order_) {
        Service& s = *services_[i];
        if (!s.goal.start_owed() || reload_.replacing(s)) {
            set_blocked(s, "");
            set_waiting(s, "");
            continue;
        }
        if (!dependencies_started(graph_, i, views)) {
            std::string blocked = why_blocked(i);
            set_waiting(s, blocked.empty() ? why_waiting(i, views) : "");
            set_blocked(s, std::move(blocked));
            continue;
        }
        set_blocked(s, "");
        set_waiting(s, "");
        s.goal.reached = true;
        runner_.dispatch(s, {EventKind::start, {}, {}});
        views[i] = s.view();
    }
}

// A required dependency that gave up (fatal, failed, or exited unsuccessfully
// with no restart due) or is itself blocked blocks its dependents; the first
// one found is named.
std::string Supervisor::why_blocked(std::size_t index) const {
    for (const auto& edge : graph_.edges(index)) {
        if (!edge.required) continue;
        const Service& d = *services_[edge.index];
        ServiceView view = d.view();
        if (gave_up(view.state)) return "waiting for " + d.name() + ": " + to_string(view.state);
        if (view.state == ServiceState::exited && !view.exited_successfully)
            return "waiting for " + d.name() + ": exited (" +
                   (d.machine().last_exit() ? d.machine().last_exit()->describe() : "no exit status") + ")";
        if (!d.blocked_reason.empty()) return "waiting for " + d.name() + ": blocked";
    }
    return "";
}

void Supervisor::set_blocked(Service& service, std::string reason) {
    if (service.blocked_reason == reason) return;
    if (!reason.empty()) spdlog::warn("{}: blocked: {}", service.name(), reason);
    else spdlog::info("{}: no longer blocked", service.name());
    service.blocked_reason = std::move(reason);
    tell_listeners(service);
}

// The first dependency whose condition is not met yet, and what it lacks:
// "redis: not ready yet". Only asked when none of them gave up.
std::string Supervisor::why_waiting(std::size_t index, const std::vector<ServiceView>& views) const {
    for (const auto& edge : graph_.edges(index)) {
        const ServiceView& view = views[edge.index];
        if (condition_met(view, edge.condition) || (!edge.required && dependency_gave_up(view))) continue;
        const Service& d = *services_[edge.index];
        if (is_down(view.state) && !d.goal.start_owed()) return d.name() + ": stopped";
        if (view.state == ServiceState::backoff) return d.name() + ": restarting after a failure";
        if (view.state == ServiceState::stopping) return d.name() + ": stopping";
        return d.name() + ": not " + to_string(edge.condition) + " yet";
    }
    return "";
}

// Logged once as the wait begins; its length is shown by status and health.
void Supervisor::set_waiting(Service& service, std::string reason) {
    if (service.waiting_for == reason) return;
    if (service.waiting_for.empty()) {
        service.waiting_since = clock_.now();
        spdlog::info("{}: waiting for {}", service.name(), reason);
    }
    service.waiting_for = std::move(reason);
}

void Supervisor::tell_listeners(const Service& service) {
    const Transition unchanged{service.state(), service.state(), {}, {}};
    listeners_.for_each([&](const Listener& listener) { listener(service, unchanged); });
}

}  // namespace tend
