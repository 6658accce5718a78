// The per-service state machine: a pure step(event, now) that returns the next
// state and the actions the supervisor must perform (spawn, signal, arm or
// cancel one of the service's timers). No syscalls here, so every transition is
// unit-tested with plain events; a table-driven test walks every cell below.
//
//            start     restart   spawned   spawn_    exited     group_    uptime_   ready    ready_    unhealthy backoff_ stop_     stop      kill
//                                          failed               empty     reached            timeout             over     timeout
//  stopped   starting  starting  -         -         -          -         -         -        -         -         -        -         -         -
//  starting  -         stopping  starting* backoff|  backoff|   -         running¹  running² stopping³ -         -        -         stopping  -
//                                          fatal|    fatal|exited|
//                                          failed    completed|failed|stopping°
//  running   -         stopping  -         -         backoff|   -         -         -        -         stopping³ -        -         stopping  -
//                                                    starting|exited|fatal|stopping°
//  stopping  (again)   (again)   -         -         (noted)    stopped|  -         -        -         -         -        SIGKILL   (cancel   SIGKILL
//                                                               starting|settled°                                       +recheck  again)
//  backoff   starting  starting  -         -         -          -         -         -        -         -         starting -         stopped   -
//  exited, fatal, completed, failed:
//            starting  starting  -         -         -          -         -         -        -         -         -        -         stopped   -
//
//  "-" is an explicit no-op. starting*: stays starting with the readiness timer
//  armed (min_uptime), or goes straight to running when the service is ready at
//  once (min_uptime 0 and no readiness check). A one-shot is never running: it
//  stays starting until it exits, then is completed (success) or retried by
//  on-failure with backoff, and failed once it gives up. (again): start once
//  the stop completes.
//  ¹ only when min_uptime is the readiness; with a readiness check (notify,
//  probe) it marks the service started and it stays starting until `ready`.
//  ² not for a one-shot.
//  ³ not ready within its timeout, or its health check failed `retries` times:
//  stopped like an operator stop, then settled as a failure (backoff, or fatal
//  once max_restarts is used up).
//  ° exited with `group_alive` (the main process left live processes in its
//  group): stopping, with stop_signal + SIGCONT to the group and the stop timer
//  at leftover_timeout; the exit is settled (backoff|starting|exited|fatal) at
//  group_empty, so a restart never runs beside its own leftovers.
//
//  max_restarts counts consecutive failed starts; with a restart window it
//  counts every failure (failed start, crash, ready timeout, unhealthy) within
//  the window instead.
//
//  Each timer has one purpose: readiness (min_uptime) fires `uptime_reached`,
//  ready_timeout fires `ready_timeout`, backoff fires `backoff_over`, stop
//  fires `stop_timeout` (and the rechecks after SIGKILL).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/process/exit_status.hpp"
#include "tend/service/service_state.hpp"

namespace tend {

using TimePoint = std::chrono::steady_clock::time_point;

enum class EventKind {
    start, restart, spawned, spawn_failed, exited, group_empty, uptime_reached, ready, ready_timeout, unhealthy,
    backoff_over, stop_timeout, stop, kill
};
inline constexpr EventKind kEventKinds[] = {
    EventKind::start,          EventKind::restart,     EventKind::spawned,      EventKind::spawn_failed,
    EventKind::exited,         EventKind::group_empty, EventKind::uptime_reached, EventKind::ready,
    EventKind::ready_timeout,  EventKind::unhealthy,   EventKind::backoff_over, EventKind::stop_timeout,
    EventKind::stop,           EventKind::kill};
const char* to_string(EventKind kind);

struct ServiceEvent {
    EventKind kind;
    ExitStatus status{};  // exited; for spawn_failed, the shell-style 127/126
    std::string error;    // spawn_failed: what went wrong, with errno text; unhealthy: why
    bool group_alive = false;  // exited: the main process left live processes in its group
};

enum class ActionKind { spawn, signal, arm_timer, cancel_timers };
enum class TimerKind { readiness, ready_timeout, backoff, stop };
inline constexpr std::size_t kTimerKinds = 4;

struct Action {
    ActionKind kind;
    int signal = 0;            // signal
    bool whole_group = true;   // signal: the process group, or the main process only
    Duration delay{};          // arm_timer
    TimerKind timer = TimerKind::stop;  // arm_timer

    bool operator==(const Action&) const = default;
};

struct Transition {
    ServiceState from;
    ServiceState to;
    std::vector<Action> actions;
    std::string reason;  // why, for the state-change log line

    bool changed() const { return from != to; }
};

// How a service says it is ready: it stayed up for min_uptime, or (external)
// a notify message or a check said so, each an event source of `ready`.
struct Readiness {
    Duration min_uptime = kDefaultMinUptime;
    bool external = false;
    Duration timeout{0};  // external: not ready within it is a failed start; 0: none
    bool immediate() const { return min_uptime.count() == 0 && !external; }
};

// What drives the machine: the spec's RunPolicy (its fields and defaults are
// not repeated here) plus readiness; replaceable in place.
struct ServicePolicy : RunPolicy {
    Readiness readiness;
    bool oneshot = false;
    // How long what a main process left in its group has after stop_signal;
    // stop_timeout, or kill_grace for `tend -- CMD`.
    Duration leftover_timeout = RunPolicy{}.stop_timeout;
    // SIGCONT to the group after stop_signal, so a stopped process handles it
    // now; off for `tend -- CMD`, whose command gets only what tend was sent.
    bool wake_after_stop_signal = true;

    static ServicePolicy from(const ServiceSpec& spec);
    // An exit code listed in success_exit_codes; a death by signal never is.
    bool succeeded(const ExitStatus& status) const;
};

class ServiceMachine {
public:
    explicit ServiceMachine(ServicePolicy policy) : policy_(std::move(policy)) {}

    Transition step(const ServiceEvent& event, TimePoint now);

    ServiceState state() const { return state_; }
    int restarts() const { return restarts_; }
    // Failures after it had started (past min_uptime or ready), each restarted
    // by its policy: what the count form of max_restarts does not count.
    int late_failures() const { return late_failures_; }
    int consecutive_failures() const { return failures_; }
    // Entries the restart window keeps (its memory): at most max_restarts, and at most 65.
    std::size_t crash_window_entries() const { return failure_runs_.size(); }
    const std::optional<ExitStatus>& last_exit() const { return last_exit_; }
    const std::string& fatal_reason() const { return fatal_reason_; }
    // The current or last stop escalated to SIGKILL (reset when a stop begins).
    bool needed_kill() const { return needed_kill_; }
    bool leader_alive() const { return leader_alive_; }
    // Past min_uptime in this run (with a readiness check, before it is ready too).
    bool started() const { return started_; }
    TimePoint since() const { return since_; }
    void set_policy(ServicePolicy policy) { policy_ = std::move(policy); }
    const ServicePolicy& policy() const { return policy_; }

private:
    // One function per state; each handles every event of its row in the table above.
    void step_down(Transition& t, const ServiceEvent& event, TimePoint now);  // stopped, exited, fatal
    void step_starting(Transition& t, const ServiceEvent& event, TimePoint now);
    void step_running(Transition& t, const ServiceEvent& event, TimePoint now);
    void step_stopping(Transition& t, const ServiceEvent& event, TimePoint now);
    void step_backoff(Transition& t, const ServiceEvent& event, TimePoint now);

    void go(Transition& t, ServiceState next, TimePoint now);
    void begin_start(Transition& t, TimePoint now);
    void begin_stop(Transition& t, const char* why, bool restart_after, TimePoint now);
    void send_stop_signal(Transition& t, bool whole_group) const;
    void on_exit(Transition& t, const ServiceEvent& event, bool early, TimePoint now);
    void on_uptime(Transition& t, TimePoint now);
    void on_ready(Transition& t, TimePoint now);
    void fail_and_stop(Transition& t, std::string what, bool early, TimePoint now);
    // `exit`: what happened is the main process's exit (else a failed check).
    void settle(Transition& t, bool success, const std::string& what, bool early, bool exit, TimePoint now);
    void on_failed_start(Transition& t, const std::string& what, TimePoint now);
    // Counts a failure; the reason to give up, or "" while restarts remain.
    std::string count_failure(TimePoint now, bool failed_start);
    std::string early_suffix() const;
    void on_spawned(Transition& t, TimePoint now);
    void on_group_empty(Transition& t, TimePoint now);
    void escalate(Transition& t, bool needed);

    ServicePolicy policy_;
    ServiceState state_ = ServiceState::stopped;
    int failures_ = 0;
    int restarts_ = 0;
    int late_failures_ = 0;
    bool leader_alive_ = false;
    bool restart_pending_ = false;
    bool started_ = false;
    // Failures within the restart window, oldest first, as runs: {the first
    // one's time, how many}. Past kExactFailures a run takes in every failure
    // within a 64th of the window of its first, so a 1 s crash loop under
    // {count: 1000000, within: 1w} keeps 65 entries, not a million.
    struct FailureRun {
        TimePoint first;
        int count;
    };
    std::vector<FailureRun> failure_runs_;
    int failures_in_window_ = 0;
    bool needed_kill_ = false;
    bool killed_ = false;
    // Set while the leftovers of an exited main process (or a service that
    // failed its readiness or health) are being stopped: settled once the
    // group is empty. `early`: before it was ready.
    struct PendingExit {
        bool success;
        std::string what;
        bool early;
        bool exit;
    };
    std::optional<PendingExit> pending_exit_;
    std::optional<ExitStatus> last_exit_;
    std::string fatal_reason_;
    TimePoint since_{};
};

}  // namespace tend
