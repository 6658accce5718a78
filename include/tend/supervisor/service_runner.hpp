// The per-service work of the supervisor: turns one service's events into
// state-machine steps and performs their actions (spawn with its output and
// checks, signals to its scope, timers), and logs its transitions. What a step
// means for the others (dependants, listeners, tend's own end) is the
// orchestrator's, told through RunnerHooks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "tend/config/config.hpp"
#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/output/output_router.hpp"
#include "tend/process/exit_status.hpp"
#include "tend/process/pid_table.hpp"
#include "tend/process/process_host.hpp"
#include "tend/supervisor/service.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

struct RunnerHooks {
    // The service with this id, configured or still stopping after a reload
    // removed it; null once it is gone. What outlives a step holds the id.
    std::function<Service*(std::uint64_t id)> find;
    // A step changed its state (after the transition was logged).
    std::function<void(Service&, const Transition&)> transitioned;
    // Something shown changed with no change of state (health, status text).
    std::function<void(Service&)> changed;
    // Its min_uptime passed: dependants that wait only for it to have started
    // may go on, although its state may not have changed (running, not ready).
    std::function<void()> started;
    // Its stop needed SIGKILL after stop_timeout.
    std::function<void(const Service&)> escalated;
};

class ServiceRunner {
public:
    // `settings` is the orchestrator's, read at each spawn (a reload changes it in place).
    ServiceRunner(EventLoop& loop, ProcessHost& host, Clock& clock, OutputRouter& output, PidTable& pids,
                  const Settings& settings, RunnerHooks hooks);

    // The service's timer of that kind, made on first use; it calls on_timer.
    Timer& timer_of(Service& service, TimerKind kind);
    void dispatch(Service& service, const ServiceEvent& event);
    void on_timer(Service& service, TimerKind kind);
    // Its main process ended with `status` (already taken from the pid table).
    void on_exit(Service& service, pid_t pid, const ExitStatus& status);
    // A service with neither readiness nor health has no ServiceChecks (1.3 KiB
    // each): a reload that gives a running one a health check makes them here,
    // and they begin at once.
    void begin_checks(Service& service);
    // A stopping service of which nothing is left gets its group_empty step.
    void finish_if_gone(Service& service);
    void send_signal(Service& service, int sig, bool whole_group);

private:
    // Stopped means nothing of its scope is left.
    bool all_gone(Service& service);
    std::optional<ServiceEvent> spawn(Service& service);
    // The pipes of a captured output, /dev/null for a discarded one; an event when that failed.
    std::optional<ServiceEvent> attach_output(Service& service, SpawnRequest& request, OutputWriters& writers);
    std::unique_ptr<ServiceChecks> make_checks(Service& service);
    // What its probe commands run like: its environment (env files read now), user, directory.
    static std::optional<SpawnRequest> probe_request(const Service& service);
    void note_escaped(Service& service);
    void note_late_failure(Service& service);

    EventLoop& loop_;
    ProcessHost& host_;
    Clock& clock_;
    OutputRouter& output_;
    PidTable& pids_;
    const Settings& settings_;
    RunnerHooks hooks_;
    UniqueFd dev_null_;
};

}  // namespace tend
