// Dependency order at run time: starts wait for their dependencies, operator
// stops for their dependents, and a service whose dependency gave up is blocked.
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"
#include "tend/supervisor/wait_reasons.hpp"

namespace tend {

void Supervisor::schedule_progress() {
    EventLoop::schedule(progress_source_.get());
}

void Supervisor::progress() {
    if (shutting_down()) {
        shutdown_.advance();
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
        const Service& dependent = services_[d];
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
    // Says why it does not start (or no longer says so); listeners see a change of blocked.
    const TimePoint now = clock_.now();
    auto hold = [this, now](Service& s, std::string blocked, std::string waiting) {
        s.set_waiting(std::move(waiting), now);
        if (s.set_blocked(std::move(blocked))) tell_listeners(s);
    };
    // What each service is (for why_blocked), and what it is to its dependents:
    // one a reload is replacing does not satisfy them until the new one runs.
    std::vector<ServiceView> actual;
    actual.reserve(services_.size());
    for (const auto& s : services_) actual.push_back(s->view());
    std::vector<ServiceView> views = actual;
    for (const auto& s : services_)
        if (reload_.replacing(*s)) views[s->index()] = {ServiceState::stopped, false};
    for (std::size_t i : start_order_) {
        Service& s = services_[i];
        if (!s.goal.start_owed() || reload_.replacing(s)) {
            hold(s, "", "");
            continue;
        }
        if (!dependencies_started(graph_, i, views)) {
            std::string blocked = why_blocked(graph_, services_, i, actual);
            std::string waiting = blocked.empty() ? why_waiting(graph_, services_, i, views) : "";
            hold(s, std::move(blocked), std::move(waiting));
            continue;
        }
        hold(s, "", "");
        s.goal.reached = true;
        runner_.dispatch(s, {EventKind::start, {}, {}});
        views[i] = actual[i] = s.view();
    }
}

void Supervisor::tell_listeners(const Service& service) {
    const Transition unchanged{service.state(), service.state(), {}, {}};
    news_.transitions.for_each([&](const Listener& listener) { listener(service, unchanged); });
}

}  // namespace tend
