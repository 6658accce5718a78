// One supervised service at run time: its spec, its state machine, its main
// pid and scope, its timers (one per purpose), and what the operator asked of it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/event/clock.hpp"
#include "tend/output/service_output.hpp"
#include "tend/process/scope.hpp"
#include "tend/process/spawner.hpp"
#include "tend/service/goal.hpp"
#include "tend/service/restart_loop.hpp"
#include "tend/service/service_machine.hpp"
#include "tend/supervisor/ordering.hpp"
#include "tend/supervisor/service_checks.hpp"

namespace tend {

class Service {
public:
    // Each takes a copy of `spec`, not the parsed one itself: the parse left
    // its small pieces (a source location's file name, an exit code list)
    // between the nodes of the YAML tree it then freed, and each pins a page
    // of the heap for good. Copied once the tree is gone, a spec lies in
    // a few pages and the parsed one goes: 500 services at rest, heap 2,112
    // -> 1,476 KiB.
    Service(const ServiceSpec& spec, std::size_t index, std::uint64_t id);

    const ServiceSpec& spec() const { return spec_; }
    const std::string& name() const { return spec_.name; }
    std::size_t index() const { return index_; }
    // Unique for the life of tend: what outlives a request (a waiter) holds this,
    // never a pointer, and looks the service up again; a removed service is not found.
    std::uint64_t id() const { return id_; }
    void set_index(std::size_t index) { index_ = index; }
    // A reload changed only fields that apply in place: same process, counters kept.
    void update_spec(const ServiceSpec& spec);
    // A reload changed how the process is made; only while down: a fresh machine.
    void replace_spec(const ServiceSpec& spec);
    ServiceMachine& machine() { return machine_; }
    const ServiceMachine& machine() const { return machine_; }
    ServiceState state() const { return machine_.state(); }
    ServiceView view() const;

    // Reads its env files: throws std::runtime_error naming one it cannot read.
    SpawnRequest spawn_request() const;
    // What starting it means: keep it up, or run it once (a one-shot).
    Want run_want() const { return spec_.type == ServiceType::oneshot ? Want::once : Want::up; }

    pid_t pid = 0;  // main process, 0 when none is alive
    // Every process of it (see process/scope.hpp): what a stop signals and
    // waits for. Kept after the main process exits, until a stop finds it empty.
    Scope scope;
    TimePoint started_at{};
    Goal goal;  // what should become of it; the state moves toward it
    // Waiting to start on a dependency that gave up: "waiting for db: fatal". Shown as state `blocked`.
    std::string blocked_reason;
    // Waiting to start on a dependency that has not met its condition yet
    // (and has not given up): "redis: not ready yet", since `waiting_since`.
    std::string waiting_for;
    TimePoint waiting_since{};
    // Each logs the change; set_blocked returns whether there was one (listeners show it).
    bool set_blocked(std::string reason);
    // Logged once as the wait begins; its length is shown by status and health.
    void set_waiting(std::string reason, TimePoint now);
    RestartLoop restart_loop;  // says once when it keeps restarting by itself
    bool new_session = true;
    bool take_terminal = false;
    bool inherit_stdin = false;
    std::unique_ptr<Timer> timers[kTimerKinds];  // by TimerKind; each made at its first arm (ServiceRunner::timer_of)
    std::unique_ptr<ServiceOutput> output;  // made at the first spawn when the output is captured
    std::unique_ptr<ServiceChecks> checks;  // made at the first spawn; a new definition makes new ones

private:
    ServiceSpec spec_;
    std::size_t index_;
    std::uint64_t id_;
    ServiceMachine machine_;
};

}  // namespace tend
