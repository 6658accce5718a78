#include "tend/service/service_machine.hpp"

#include <algorithm>
#include <csignal>
#include <utility>

#include "tend/service/backoff.hpp"

namespace tend {

namespace {
constexpr Duration kKillRecheck{100};
// Up to this many failures in a restart window are kept one by one (exact);
// past it, in runs of a 64th of the window.
constexpr int kExactFailures = 64;

Action arm(TimerKind timer, Duration delay) { return {ActionKind::arm_timer, 0, true, delay, timer}; }
Action cancel_timers() { return {ActionKind::cancel_timers}; }
}  // namespace

const char* to_string(EventKind kind) {
    switch (kind) {
        case EventKind::start: return "start";
        case EventKind::restart: return "restart";
        case EventKind::spawned: return "spawned";
        case EventKind::spawn_failed: return "spawn_failed";
        case EventKind::exited: return "exited";
        case EventKind::group_empty: return "group_empty";
        case EventKind::uptime_reached: return "uptime_reached";
        case EventKind::ready: return "ready";
        case EventKind::ready_timeout: return "ready_timeout";
        case EventKind::unhealthy: return "unhealthy";
        case EventKind::backoff_over: return "backoff_over";
        case EventKind::stop_timeout: return "stop_timeout";
        case EventKind::stop: return "stop";
        case EventKind::kill: return "kill";
    }
    return "?";
}

ServicePolicy ServicePolicy::from(const ServiceSpec& spec) {
    ServicePolicy p;
    static_cast<RunPolicy&>(p) = spec;
    p.readiness.min_uptime = spec.min_uptime;
    p.readiness.external = spec.ready.external();
    p.readiness.timeout = spec.ready.timeout;
    p.oneshot = spec.type == ServiceType::oneshot;
    p.leftover_timeout = spec.stop_timeout;
    return p;
}

bool ServicePolicy::succeeded(const ExitStatus& status) const {
    return !status.signaled &&
           std::find(success_exit_codes.begin(), success_exit_codes.end(), status.value) != success_exit_codes.end();
}

Transition ServiceMachine::step(const ServiceEvent& event, TimePoint now) {
    Transition t{state_, state_, {}, {}};
    switch (state_) {
        case ServiceState::stopped:
        case ServiceState::exited:
        case ServiceState::fatal:
        case ServiceState::completed:
        case ServiceState::failed: step_down(t, event, now); break;
        case ServiceState::starting: step_starting(t, event, now); break;
        case ServiceState::running: step_running(t, event, now); break;
        case ServiceState::stopping: step_stopping(t, event, now); break;
        case ServiceState::backoff: step_backoff(t, event, now); break;
    }
    return t;
}

void ServiceMachine::step_down(Transition& t, const ServiceEvent& event, TimePoint now) {
    if (event.kind == EventKind::start || event.kind == EventKind::restart) {
        failures_ = 0;
        failure_runs_.clear();
        failures_in_window_ = 0;
        fatal_reason_.clear();
        t.reason = "start requested";
        begin_start(t, now);
    } else if (event.kind == EventKind::stop && state_ != ServiceState::stopped) {
        t.reason = "stop requested";
        go(t, ServiceState::stopped, now);
    }
}

void ServiceMachine::step_starting(Transition& t, const ServiceEvent& event, TimePoint now) {
    switch (event.kind) {
        case EventKind::spawned: on_spawned(t, now); break;
        case EventKind::spawn_failed:
            last_exit_ = event.status;
            on_failed_start(t, event.error, now);
            break;
        case EventKind::uptime_reached: on_uptime(t, now); break;
        case EventKind::ready: on_ready(t, now); break;
        case EventKind::ready_timeout:
            if (policy_.readiness.external && !policy_.oneshot)
                fail_and_stop(t, "not ready within " + format_duration(policy_.readiness.timeout), true, now);
            break;
        case EventKind::exited: on_exit(t, event, true, now); break;
        case EventKind::stop: begin_stop(t, "stop requested", false, now); break;
        case EventKind::restart: begin_stop(t, "restart requested", true, now); break;
        case EventKind::start:
        case EventKind::group_empty:
        case EventKind::unhealthy:
        case EventKind::backoff_over:
        case EventKind::stop_timeout:
        case EventKind::kill: break;  // the row's no-op cells, listed so a new event kind is placed
    }
}

void ServiceMachine::step_running(Transition& t, const ServiceEvent& event, TimePoint now) {
    switch (event.kind) {
        case EventKind::exited: on_exit(t, event, false, now); break;
        case EventKind::unhealthy: fail_and_stop(t, "unhealthy: " + event.error, false, now); break;
        case EventKind::stop: begin_stop(t, "stop requested", false, now); break;
        case EventKind::restart: begin_stop(t, "restart requested", true, now); break;
        case EventKind::start:
        case EventKind::spawned:
        case EventKind::spawn_failed:
        case EventKind::group_empty:
        case EventKind::uptime_reached:
        case EventKind::ready:
        case EventKind::ready_timeout:
        case EventKind::backoff_over:
        case EventKind::stop_timeout:
        case EventKind::kill: break;  // the row's no-op cells, listed so a new event kind is placed
    }
}

void ServiceMachine::step_stopping(Transition& t, const ServiceEvent& event, TimePoint now) {
    switch (event.kind) {
        case EventKind::exited:
            leader_alive_ = false;
            last_exit_ = event.status;
            break;
        case EventKind::group_empty:
            if (!leader_alive_) on_group_empty(t, now);  // else its own exit has not been reaped yet
            break;
        case EventKind::stop_timeout: escalate(t, true); break;
        case EventKind::kill: escalate(t, false); break;
        case EventKind::start:
        case EventKind::restart: restart_pending_ = true; break;
        case EventKind::stop:
            restart_pending_ = false;
            pending_exit_.reset();  // the operator wants it down: no restart after the leftovers
            break;
        case EventKind::spawned:
        case EventKind::spawn_failed:
        case EventKind::uptime_reached:
        case EventKind::ready:
        case EventKind::ready_timeout:
        case EventKind::unhealthy:
        case EventKind::backoff_over: break;  // the row's no-op cells, listed so a new event kind is placed
    }
}

void ServiceMachine::step_backoff(Transition& t, const ServiceEvent& event, TimePoint now) {
    switch (event.kind) {
        case EventKind::backoff_over:
            ++restarts_;
            t.reason = "backoff over";
            begin_start(t, now);
            break;
        case EventKind::start:
        case EventKind::restart:
            t.actions.push_back(cancel_timers());
            ++restarts_;
            t.reason = "start requested";
            begin_start(t, now);
            break;
        case EventKind::stop:
            t.actions.push_back(cancel_timers());
            t.reason = "stop requested";
            go(t, ServiceState::stopped, now);
            break;
        case EventKind::spawned:
        case EventKind::spawn_failed:
        case EventKind::exited:
        case EventKind::group_empty:
        case EventKind::uptime_reached:
        case EventKind::ready:
        case EventKind::ready_timeout:
        case EventKind::unhealthy:
        case EventKind::stop_timeout:
        case EventKind::kill: break;  // the row's no-op cells, listed so a new event kind is placed
    }
}

void ServiceMachine::go(Transition& t, ServiceState next, TimePoint now) {
    if (state_ != next) since_ = now;
    state_ = next;
    t.to = next;
}

void ServiceMachine::begin_start(Transition& t, TimePoint now) {
    started_ = false;
    go(t, ServiceState::starting, now);
    t.actions.push_back({ActionKind::spawn});
}

void ServiceMachine::begin_stop(Transition& t, const char* why, bool restart_after, TimePoint now) {
    t.reason = why;
    restart_pending_ = restart_after;
    go(t, ServiceState::stopping, now);
    killed_ = false;
    needed_kill_ = false;  // per stop: an earlier escalation says nothing of this one
    t.actions.push_back(cancel_timers());
    send_stop_signal(t, policy_.kill_mode == KillMode::group);
    t.actions.push_back(arm(TimerKind::stop, policy_.stop_timeout));
}

// A stopped (SIGSTOP, SIGTSTP) process would hold its stop signal pending
// until SIGKILL: wake it so it handles it now, as systemd and s6 do. The
// whole group, even under kill_mode: process: a main process that passes
// the stop on to its frozen workers would wait for them until its own
// timeout (a gunicorn, 30 s). Not for `tend -- CMD`: a drop-in for tini and
// dumb-init sends its command only the signals it was sent itself.
void ServiceMachine::send_stop_signal(Transition& t, bool whole_group) const {
    t.actions.push_back({ActionKind::signal, policy_.stop_signal, whole_group});
    if (policy_.wake_after_stop_signal && policy_.stop_signal != SIGCONT)
        t.actions.push_back({ActionKind::signal, SIGCONT, true});
}

void ServiceMachine::escalate(Transition& t, bool needed) {
    if (!killed_) {
        killed_ = true;
        needed_kill_ = needed_kill_ || needed;
        t.actions.push_back({ActionKind::signal, SIGKILL, true});
    }
    // Group members that are not tend's children die without a SIGCHLD
    // to tend: look again shortly rather than wait for one.
    t.actions.push_back(arm(TimerKind::stop, kKillRecheck));
}

void ServiceMachine::on_group_empty(Transition& t, TimePoint now) {
    t.actions.push_back(cancel_timers());
    if (pending_exit_ && !restart_pending_) {
        PendingExit exit = *std::exchange(pending_exit_, std::nullopt);
        settle(t, exit.success, exit.what, exit.early, exit.exit, now);
        return;
    }
    pending_exit_.reset();
    if (restart_pending_) {
        restart_pending_ = false;
        failures_ = 0;
        ++restarts_;
        t.reason = "restarting";
        begin_start(t, now);
    } else {
        t.reason = last_exit_ ? last_exit_->describe() : "stopped";
        go(t, ServiceState::stopped, now);
    }
}

void ServiceMachine::on_spawned(Transition& t, TimePoint now) {
    leader_alive_ = true;
    if (policy_.oneshot) return;  // it runs to its end; its exit says how it went
    if (policy_.readiness.immediate()) {
        started_ = true;
        failures_ = 0;
        go(t, ServiceState::running, now);
        return;
    }
    if (policy_.readiness.min_uptime.count() == 0) started_ = true;
    else t.actions.push_back(arm(TimerKind::readiness, policy_.readiness.min_uptime));
    if (policy_.readiness.external && policy_.readiness.timeout.count() > 0)
        t.actions.push_back(arm(TimerKind::ready_timeout, policy_.readiness.timeout));
}

void ServiceMachine::on_uptime(Transition& t, TimePoint now) {
    if (policy_.oneshot) return;
    started_ = true;
    if (policy_.readiness.external) return;  // started; ready when its check says so
    failures_ = 0;
    t.reason = "up for " + format_duration(policy_.readiness.min_uptime);
    go(t, ServiceState::running, now);
}

void ServiceMachine::on_ready(Transition& t, TimePoint now) {
    if (policy_.oneshot) return;
    failures_ = 0;
    started_ = true;
    t.reason = policy_.readiness.external ? "ready" : "up for " + format_duration(policy_.readiness.min_uptime);
    go(t, ServiceState::running, now);
}

// Not ready in time, or unhealthy: stopped the way an operator stop would,
// then settled as a failure once its group is empty.
void ServiceMachine::fail_and_stop(Transition& t, std::string what, bool early, TimePoint now) {
    begin_stop(t, "", false, now);
    t.reason = what + "; stopping it";
    pending_exit_ = PendingExit{false, std::move(what), early, false};
}

std::string ServiceMachine::early_suffix() const {
    if (policy_.oneshot) return "";
    if (policy_.readiness.external) return " before it was ready";
    return " before min_uptime " + format_duration(policy_.readiness.min_uptime);
}

std::string ServiceMachine::count_failure(TimePoint now, bool failed_start) {
    if (policy_.max_restarts < 0) return "";
    if (policy_.restart_window.count() > 0) {
        const Duration window = policy_.restart_window;
        auto expired = std::find_if(failure_runs_.begin(), failure_runs_.end(),
                                    [&](const FailureRun& run) { return now - run.first <= window; });
        for (auto it = failure_runs_.begin(); it != expired; ++it) failures_in_window_ -= it->count;
        failure_runs_.erase(failure_runs_.begin(), expired);
        if (policy_.max_restarts > kExactFailures && !failure_runs_.empty() &&
            now - failure_runs_.back().first <= window / kExactFailures)
            ++failure_runs_.back().count;
        else
            failure_runs_.push_back({now, 1});
        if (++failures_in_window_ <= policy_.max_restarts) return "";
        std::string why = "gave up after " + std::to_string(failures_in_window_) + " failures within " +
                          format_duration(window);
        failure_runs_.clear();  // it is down for good: a start begins a new window
        failures_in_window_ = 0;
        return why;
    }
    if (!failed_start || failures_ <= policy_.max_restarts) return "";
    return "gave up after " + std::to_string(failures_) + " failed start" + (failures_ == 1 ? "" : "s");
}

void ServiceMachine::on_failed_start(Transition& t, const std::string& what, TimePoint now) {
    ++failures_;
    if (std::string why = count_failure(now, true); !why.empty()) {
        fatal_reason_ = what + "; " + why;
        t.reason = fatal_reason_;
        go(t, policy_.oneshot ? ServiceState::failed : ServiceState::fatal, now);
        return;
    }
    Duration delay = backoff_delay(policy_.backoff, failures_);
    t.reason = what + "; restart in " + format_duration(delay);
    go(t, ServiceState::backoff, now);
    t.actions.push_back(arm(TimerKind::backoff, delay));
}

void ServiceMachine::on_exit(Transition& t, const ServiceEvent& event, bool early, TimePoint now) {
    leader_alive_ = false;
    last_exit_ = event.status;
    t.actions.push_back(cancel_timers());
    const bool success = policy_.succeeded(event.status);
    const std::string what = event.status.describe();
    if (!event.group_alive) {
        settle(t, success, what, early, true, now);
        return;
    }
    // What the main process left in its group gets a graceful stop, then the
    // exit is settled: a restart never runs beside its own leftovers.
    pending_exit_ = PendingExit{success, what, early, true};
    restart_pending_ = false;
    killed_ = false;
    needed_kill_ = false;
    t.reason = event.status.describe() + "; stopping what it left in its group";
    go(t, ServiceState::stopping, now);
    send_stop_signal(t, true);
    t.actions.push_back(arm(TimerKind::stop, policy_.leftover_timeout));
}

void ServiceMachine::settle(Transition& t, bool success, const std::string& what, bool early, bool exit,
                            TimePoint now) {
    // A one-shot runs to its end: only a failure is ever run again.
    const bool restart = policy_.oneshot ? !success && policy_.restart != RestartPolicy::never
                                         : policy_.restart == RestartPolicy::always ||
                                               (policy_.restart == RestartPolicy::on_failure && !success);
    if (!restart) {
        t.reason = what;
        go(t, !policy_.oneshot ? ServiceState::exited : success ? ServiceState::completed : ServiceState::failed, now);
        return;
    }
    if (early || policy_.oneshot) {
        // An exit is said with when it came: "exit code 1 before min_uptime 1s".
        on_failed_start(t, what + (exit ? early_suffix() : ""), now);
        return;
    }
    failures_ = 0;
    if (!success) {
        if (std::string why = count_failure(now, false); !why.empty()) {
            fatal_reason_ = what + "; " + why;
            t.reason = fatal_reason_;
            go(t, ServiceState::fatal, now);
            return;
        }
        ++late_failures_;
    }
    Duration delay = policy_.backoff.initial;
    if (delay.count() == 0) {
        t.reason = what + "; restarting";
        ++restarts_;
        begin_start(t, now);
        return;
    }
    t.reason = what + "; restart in " + format_duration(delay);
    go(t, ServiceState::backoff, now);
    t.actions.push_back(arm(TimerKind::backoff, delay));
}

}  // namespace tend
