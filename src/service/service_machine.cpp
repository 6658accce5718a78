#include "tend/service/service_machine.hpp"

#include <algorithm>
#include <csignal>
#include <utility>

#include "tend/service/backoff.hpp"

namespace tend {

namespace {
constexpr Duration kKillRecheck{100};

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
        case EventKind::ready: return "ready";
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
        case ServiceState::fatal: step_down(t, event, now); break;
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
        case EventKind::ready:
            failures_ = 0;
            t.reason = "up for " + format_duration(policy_.readiness.min_uptime);
            go(t, ServiceState::running, now);
            break;
        case EventKind::exited: on_exit(t, event, true, now); break;
        case EventKind::stop: begin_stop(t, "stop requested", false, now); break;
        case EventKind::restart: begin_stop(t, "restart requested", true, now); break;
        default: break;  // a no-op cell of the table
    }
}

void ServiceMachine::step_running(Transition& t, const ServiceEvent& event, TimePoint now) {
    switch (event.kind) {
        case EventKind::exited: on_exit(t, event, false, now); break;
        case EventKind::stop: begin_stop(t, "stop requested", false, now); break;
        case EventKind::restart: begin_stop(t, "restart requested", true, now); break;
        default: break;
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
        default: break;
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
        default: break;
    }
}

void ServiceMachine::go(Transition& t, ServiceState next, TimePoint now) {
    if (state_ != next) since_ = now;
    state_ = next;
    t.to = next;
}

void ServiceMachine::begin_start(Transition& t, TimePoint now) {
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
    const bool group = policy_.kill_mode == KillMode::group;
    t.actions.push_back({ActionKind::signal, policy_.stop_signal, group});
    // A stopped (SIGSTOP, SIGTSTP) process would hold its stop signal pending
    // until SIGKILL: wake it so it handles it now, as systemd and s6 do.
    if (policy_.stop_signal != SIGCONT) t.actions.push_back({ActionKind::signal, SIGCONT, group});
    t.actions.push_back(arm(TimerKind::stop, policy_.stop_timeout));
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
        settle_exit(t, exit.status, exit.early, now);
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
    if (policy_.readiness.immediate()) {
        failures_ = 0;
        go(t, ServiceState::running, now);
        return;
    }
    t.actions.push_back(arm(TimerKind::readiness, policy_.readiness.min_uptime));
}

void ServiceMachine::on_failed_start(Transition& t, const std::string& what, TimePoint now) {
    ++failures_;
    if (policy_.max_restarts >= 0 && failures_ > policy_.max_restarts) {
        fatal_reason_ = what + "; gave up after " + std::to_string(failures_) + " failed start" +
                        (failures_ == 1 ? "" : "s");
        t.reason = fatal_reason_;
        go(t, ServiceState::fatal, now);
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
    if (!event.group_alive) {
        settle_exit(t, event.status, early, now);
        return;
    }
    // What the main process left in its group gets a graceful stop, then the
    // exit is settled: a restart never runs beside its own leftovers.
    pending_exit_ = PendingExit{event.status, early};
    restart_pending_ = false;
    killed_ = false;
    needed_kill_ = false;
    t.reason = event.status.describe() + "; stopping what it left in its group";
    go(t, ServiceState::stopping, now);
    t.actions.push_back({ActionKind::signal, policy_.stop_signal, true});
    if (policy_.stop_signal != SIGCONT) t.actions.push_back({ActionKind::signal, SIGCONT, true});
    t.actions.push_back(arm(TimerKind::stop, policy_.leftover_timeout));
}

void ServiceMachine::settle_exit(Transition& t, const ExitStatus& status, bool early, TimePoint now) {
    const bool success = policy_.succeeded(status);
    const bool restart = policy_.restart == RestartPolicy::always ||
                         (policy_.restart == RestartPolicy::on_failure && !success);
    if (!restart) {
        t.reason = status.describe();
        go(t, ServiceState::exited, now);
        return;
    }
    if (early) {
        on_failed_start(t, status.describe() + " before min_uptime " + format_duration(policy_.readiness.min_uptime),
                        now);
        return;
    }
    failures_ = 0;
    Duration delay = policy_.backoff.initial;
    if (delay.count() == 0) {
        t.reason = status.describe() + "; restarting";
        ++restarts_;
        begin_start(t, now);
        return;
    }
    t.reason = status.describe() + "; restart in " + format_duration(delay);
    go(t, ServiceState::backoff, now);
    t.actions.push_back(arm(TimerKind::backoff, delay));
}

}  // namespace tend
