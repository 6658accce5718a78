#include <doctest/doctest.h>

#include <algorithm>

#include <csignal>

#include "tend/service/service_machine.hpp"

namespace unit_service_machine_test {

using namespace tend;
using std::chrono::milliseconds;

namespace {

ServicePolicy policy(RestartPolicy restart = RestartPolicy::on_failure, int max_restarts = 2) {
    ServicePolicy p;
    p.restart = restart;
    p.max_restarts = max_restarts;
    p.readiness.min_uptime = milliseconds(1000);
    p.backoff = {milliseconds(100), milliseconds(1000), 2.0};
    p.stop_signal = SIGTERM;
    p.stop_timeout = milliseconds(5000);
    return p;
}

const TimePoint t0{};

ServiceEvent ev(EventKind kind) { return {kind, {}, {}}; }
ServiceEvent exited(int code) { return {EventKind::exited, ExitStatus::exited(code), {}}; }
ServiceEvent killed(int sig) { return {EventKind::exited, ExitStatus::killed(sig), {}}; }
ServiceEvent left_behind(int code) { return {EventKind::exited, ExitStatus::exited(code), {}, true}; }

bool has(const Transition& t, const Action& a) {
    for (const auto& x : t.actions)
        if (x == a) return true;
    return false;
}

Action spawn() { return {ActionKind::spawn}; }
Action arm(TimerKind timer, long ms) { return {ActionKind::arm_timer, 0, true, milliseconds(ms), timer}; }
Action signal_group(int sig) { return {ActionKind::signal, sig, true}; }

// Drives a fresh machine to running.
ServiceMachine running(ServicePolicy p = policy()) {
    ServiceMachine m(p);
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    m.step(ev(EventKind::ready), t0);
    REQUIRE(m.state() == ServiceState::running);
    return m;
}

}  // namespace

TEST_CASE("start spawns and arms the min_uptime timer; its expiry means running") {
    ServiceMachine m(policy());
    auto t = m.step(ev(EventKind::start), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(has(t, spawn()));
    t = m.step(ev(EventKind::spawned), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(has(t, arm(TimerKind::readiness, 1000)));
    t = m.step(ev(EventKind::ready), t0);
    CHECK(t.to == ServiceState::running);
    CHECK(t.reason == "up for 1s");
}

TEST_CASE("with min_uptime 0 a spawned service is running at once") {
    auto p = policy();
    p.readiness.min_uptime = milliseconds(0);
    ServiceMachine m(p);
    m.step(ev(EventKind::start), t0);
    auto t = m.step(ev(EventKind::spawned), t0);
    CHECK(t.to == ServiceState::running);
}

TEST_CASE("an exit before min_uptime is a failed start with exponential backoff, then fatal") {
    ServiceMachine m(policy(RestartPolicy::on_failure, 2));
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);

    auto t = m.step(exited(1), t0);
    CHECK(t.to == ServiceState::backoff);
    CHECK(has(t, arm(TimerKind::backoff, 100)));
    CHECK(t.reason == "exit code 1 before min_uptime 1s; restart in 100ms");

    t = m.step(ev(EventKind::backoff_over), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(has(t, spawn()));
    m.step(ev(EventKind::spawned), t0);
    t = m.step(exited(1), t0);
    CHECK(has(t, arm(TimerKind::backoff, 200)));

    m.step(ev(EventKind::backoff_over), t0);
    m.step(ev(EventKind::spawned), t0);
    t = m.step(exited(1), t0);
    CHECK(t.to == ServiceState::fatal);
    CHECK(m.fatal_reason() == "exit code 1 before min_uptime 1s; gave up after 3 failed starts");
    CHECK(m.restarts() == 2);
}

TEST_CASE("max_restarts -1 never gives up") {
    ServiceMachine m(policy(RestartPolicy::always, -1));
    m.step(ev(EventKind::start), t0);
    for (int i = 0; i < 100; ++i) {
        m.step(ev(EventKind::spawned), t0);
        auto t = m.step(exited(1), t0);
        REQUIRE(t.to == ServiceState::backoff);
        m.step(ev(EventKind::backoff_over), t0);
    }
    CHECK(m.restarts() == 100);
}

TEST_CASE("stable running resets the failure count") {
    ServiceMachine m(policy(RestartPolicy::on_failure, 1));
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    m.step(exited(1), t0);  // failure 1
    CHECK(m.consecutive_failures() == 1);
    m.step(ev(EventKind::backoff_over), t0);
    m.step(ev(EventKind::spawned), t0);
    m.step(ev(EventKind::ready), t0);  // up for min_uptime
    CHECK(m.consecutive_failures() == 0);
    auto t = m.step(exited(1), t0);  // a crash after a stable run restarts with the initial delay
    CHECK(t.to == ServiceState::backoff);
    CHECK(has(t, arm(TimerKind::backoff, 100)));
}

TEST_CASE("on-failure does not restart a success exit code") {
    auto p = policy();
    p.success_exit_codes = {0, 3};
    auto m = running(p);
    auto t = m.step(exited(3), t0);
    CHECK(t.to == ServiceState::exited);
    CHECK(t.reason == "exit code 3");
}

TEST_CASE("on-failure restarts a service killed by a signal") {
    auto m = running();
    auto t = m.step(killed(SIGKILL), t0);
    CHECK(t.to == ServiceState::backoff);
    CHECK(t.reason == "signal SIGKILL; restart in 100ms");
}

TEST_CASE("never leaves a failed service exited; always restarts a clean exit") {
    auto never = running(policy(RestartPolicy::never));
    CHECK(never.step(exited(1), t0).to == ServiceState::exited);
    auto always = running(policy(RestartPolicy::always));
    CHECK(always.step(exited(0), t0).to == ServiceState::backoff);
}

TEST_CASE("a zero initial backoff restarts at once without a timer") {
    auto p = policy(RestartPolicy::always);
    p.backoff.initial = milliseconds(0);
    auto m = running(p);
    auto t = m.step(exited(0), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(has(t, spawn()));
}

TEST_CASE("a main process that exits alone is settled at once, with no signal to its empty group") {
    auto m = running();
    auto t = m.step(exited(1), t0);
    CHECK(t.to == ServiceState::backoff);
    CHECK_FALSE(has(t, signal_group(SIGKILL)));
}

TEST_CASE("what the main process left in its group gets stop_signal and SIGCONT, then the exit is settled") {
    auto p = policy();
    p.leftover_timeout = milliseconds(700);
    auto m = running(p);
    auto t = m.step(left_behind(1), t0);
    CHECK(t.to == ServiceState::stopping);
    CHECK(has(t, signal_group(SIGTERM)));
    CHECK(has(t, signal_group(SIGCONT)));
    CHECK(has(t, arm(TimerKind::stop, 700)));
    CHECK_FALSE(has(t, signal_group(SIGKILL)));
    CHECK_FALSE(has(t, spawn()));  // never a restart beside its own leftovers
    t = m.step(ev(EventKind::group_empty), t0);
    CHECK(t.to == ServiceState::backoff);  // exit 1 under on-failure, as if it had exited alone
    CHECK(m.last_exit() == ExitStatus::exited(1));
    CHECK_FALSE(m.needed_kill());
}

TEST_CASE("leftovers past leftover_timeout are SIGKILLed; the exit is settled when the group is empty") {
    auto m = running(policy(RestartPolicy::never));
    m.step(left_behind(0), t0);
    auto t = m.step(ev(EventKind::stop_timeout), t0);
    CHECK(has(t, signal_group(SIGKILL)));
    CHECK(m.needed_kill());
    t = m.step(ev(EventKind::group_empty), t0);
    CHECK(t.to == ServiceState::exited);
}

TEST_CASE("a stop while leftovers are stopped ends stopped, not restarted") {
    auto m = running(policy(RestartPolicy::always));
    m.step(left_behind(0), t0);
    m.step(ev(EventKind::stop), t0);
    CHECK(m.step(ev(EventKind::group_empty), t0).to == ServiceState::stopped);
}

TEST_CASE("needing SIGKILL is a mark of one stop: the next stop starts without it") {
    auto m = running();
    m.step(ev(EventKind::stop), t0);
    m.step(ev(EventKind::stop_timeout), t0);
    m.step(killed(SIGKILL), t0);
    m.step(ev(EventKind::group_empty), t0);
    REQUIRE(m.needed_kill());
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    m.step(ev(EventKind::ready), t0);
    m.step(ev(EventKind::stop), t0);
    CHECK_FALSE(m.needed_kill());
}

TEST_CASE("a spawn failure counts as a failed start") {
    ServiceMachine m(policy(RestartPolicy::on_failure, 0));
    m.step(ev(EventKind::start), t0);
    auto t = m.step({EventKind::spawn_failed, ExitStatus::exited(127), "failed to exec x: No such file or directory"}, t0);
    CHECK(t.to == ServiceState::fatal);
    CHECK(m.fatal_reason() == "failed to exec x: No such file or directory; gave up after 1 failed start");
    CHECK(m.last_exit() == ExitStatus::exited(127));
}

TEST_CASE("stop sends stop_signal to the group and waits for the group to empty") {
    auto m = running();
    auto t = m.step(ev(EventKind::stop), t0);
    CHECK(t.to == ServiceState::stopping);
    CHECK(has(t, signal_group(SIGTERM)));
    CHECK(has(t, arm(TimerKind::stop, 5000)));
    t = m.step(killed(SIGTERM), t0);
    CHECK(t.to == ServiceState::stopping);  // the leader is gone, its group may not be
    t = m.step(ev(EventKind::group_empty), t0);
    CHECK(t.to == ServiceState::stopped);
    CHECK_FALSE(m.needed_kill());
}

TEST_CASE("the stop signal is followed by SIGCONT, so a stopped service handles it at once") {
    auto m = running();
    auto t = m.step(ev(EventKind::stop), t0);
    auto term = std::find(t.actions.begin(), t.actions.end(), signal_group(SIGTERM));
    auto cont = std::find(t.actions.begin(), t.actions.end(), signal_group(SIGCONT));
    REQUIRE(term != t.actions.end());
    REQUIRE(cont != t.actions.end());
    CHECK(term < cont);

    auto p = policy();
    p.stop_signal = SIGCONT;  // nothing to add to a stop signal that is SIGCONT itself
    auto c = running(p);
    t = c.step(ev(EventKind::stop), t0);
    CHECK(std::count(t.actions.begin(), t.actions.end(), signal_group(SIGCONT)) == 1);
}

TEST_CASE("without wake_after_stop_signal (tend -- CMD) the stop signal goes alone") {
    // A drop-in for tini and dumb-init: CMD gets what tend was sent, no SIGCONT besides.
    auto p = policy();
    p.wake_after_stop_signal = false;
    auto m = running(p);
    auto t = m.step(ev(EventKind::stop), t0);
    CHECK(has(t, signal_group(SIGTERM)));
    CHECK_FALSE(has(t, signal_group(SIGCONT)));
    auto leftovers = running(p);
    t = leftovers.step(left_behind(0), t0);
    CHECK(has(t, signal_group(SIGTERM)));
    CHECK_FALSE(has(t, signal_group(SIGCONT)));
}

TEST_CASE("group_empty before the leader's exit is reaped changes nothing") {
    auto m = running();
    m.step(ev(EventKind::stop), t0);
    CHECK(m.step(ev(EventKind::group_empty), t0).to == ServiceState::stopping);
}

TEST_CASE("kill_mode process signals only the main process, and wakes the whole group with SIGCONT") {
    // Frozen children of a main process that passes the stop on must not hold it.
    auto p = policy();
    p.kill_mode = KillMode::process;
    auto m = running(p);
    auto t = m.step(ev(EventKind::stop), t0);
    CHECK(has(t, Action{ActionKind::signal, SIGTERM, false}));
    CHECK(has(t, signal_group(SIGCONT)));
    CHECK_FALSE(has(t, Action{ActionKind::signal, SIGCONT, false}));
}

TEST_CASE("stop_timeout escalates to SIGKILL on the group and is remembered") {
    auto m = running();
    m.step(ev(EventKind::stop), t0);
    auto t = m.step(ev(EventKind::stop_timeout), t0);
    CHECK(has(t, signal_group(SIGKILL)));
    CHECK(m.needed_kill());
    t = m.step(ev(EventKind::stop_timeout), t0);  // a recheck does not signal again
    CHECK_FALSE(has(t, signal_group(SIGKILL)));
}

TEST_CASE("an operator kill (second Ctrl-C) does not count as a needed kill") {
    auto m = running();
    m.step(ev(EventKind::stop), t0);
    auto t = m.step(ev(EventKind::kill), t0);
    CHECK(has(t, signal_group(SIGKILL)));
    CHECK_FALSE(m.needed_kill());
}

TEST_CASE("restart stops, then starts again once the group is empty") {
    auto m = running();
    auto t = m.step(ev(EventKind::restart), t0);
    CHECK(t.to == ServiceState::stopping);
    m.step(killed(SIGTERM), t0);
    t = m.step(ev(EventKind::group_empty), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(has(t, spawn()));
    CHECK(m.restarts() == 1);
}

TEST_CASE("stop during backoff cancels the restart") {
    auto m = running();
    m.step(exited(1), t0);
    REQUIRE(m.state() == ServiceState::backoff);
    auto t = m.step(ev(EventKind::stop), t0);
    CHECK(t.to == ServiceState::stopped);
    CHECK(has(t, Action{ActionKind::cancel_timers}));
}

TEST_CASE("start from fatal or exited begins afresh") {
    ServiceMachine m(policy(RestartPolicy::on_failure, 0));
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    m.step(exited(1), t0);
    REQUIRE(m.state() == ServiceState::fatal);
    auto t = m.step(ev(EventKind::start), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(m.consecutive_failures() == 0);
    CHECK(m.fatal_reason().empty());
}

TEST_CASE("events that do not apply to a state are no-ops") {
    ServiceMachine m(policy());
    for (auto kind : {EventKind::spawned, EventKind::exited, EventKind::group_empty, EventKind::ready,
                      EventKind::stop, EventKind::kill}) {
        auto t = m.step(ev(kind), t0);
        CHECK_FALSE(t.changed());
        CHECK(t.actions.empty());
    }
    auto r = running();
    for (auto kind : {EventKind::start, EventKind::spawned, EventKind::group_empty, EventKind::ready, EventKind::kill}) {
        auto t = r.step(ev(kind), t0);
        CHECK_FALSE(t.changed());
        CHECK(t.actions.empty());
    }
}

namespace {

// A machine in each state of the header's table; stopping's leader has already exited.
ServiceMachine in_state(ServiceState state) {
    switch (state) {
        case ServiceState::stopped: return ServiceMachine(policy());
        case ServiceState::starting: {
            ServiceMachine m(policy());
            m.step(ev(EventKind::start), t0);  // spawned is still to come
            return m;
        }
        case ServiceState::running: return running();
        case ServiceState::stopping: {
            auto m = running();
            m.step(ev(EventKind::stop), t0);
            m.step(killed(SIGTERM), t0);
            return m;
        }
        case ServiceState::backoff: {
            auto m = running();
            m.step(exited(1), t0);
            return m;
        }
        case ServiceState::exited: {
            auto m = running(policy(RestartPolicy::never));
            m.step(exited(0), t0);
            return m;
        }
        case ServiceState::fatal: {
            ServiceMachine m(policy(RestartPolicy::on_failure, 0));
            m.step(ev(EventKind::start), t0);
            m.step(ev(EventKind::spawned), t0);
            m.step(exited(1), t0);
            return m;
        }
        case ServiceState::completed:
        case ServiceState::failed: {
            auto p = policy(RestartPolicy::never);
            p.oneshot = true;
            ServiceMachine m(p);
            m.step(ev(EventKind::start), t0);
            m.step(ev(EventKind::spawned), t0);
            m.step(exited(state == ServiceState::completed ? 0 : 1), t0);
            return m;
        }
    }
    return ServiceMachine(policy());
}

ServiceEvent event_of(EventKind kind) {
    if (kind == EventKind::exited) return exited(1);
    if (kind == EventKind::spawn_failed) return {kind, ExitStatus::exited(127), "failed to exec x"};
    if (kind == EventKind::unhealthy) return {kind, {}, "probe failed"};
    return ev(kind);
}

}  // namespace

TEST_CASE("every (state, event) cell moves to the state the header's table gives") {
    using S = ServiceState;
    constexpr S stopped = S::stopped, starting = S::starting, running_ = S::running, stopping = S::stopping,
                backoff = S::backoff, exited_ = S::exited, fatal = S::fatal, completed = S::completed,
                failed = S::failed;
    const S states[] = {stopped, starting, running_, stopping, backoff, exited_, fatal, completed, failed};
    // Columns in kEventKinds order: start restart spawned spawn_failed exited group_empty uptime_reached
    //                               ready ready_timeout unhealthy backoff_over stop_timeout stop kill
    // (starting's machine has min_uptime readiness, so ready_timeout does not apply to it.)
    const S expected[9][14] = {
        /* stopped   */ {starting, starting, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped},
        /* starting  */ {starting, stopping, starting, backoff, backoff, starting, running_, running_, starting, starting, starting, starting, stopping, starting},
        /* running   */ {running_, stopping, running_, running_, backoff, running_, running_, running_, running_, stopping, running_, running_, stopping, running_},
        /* stopping  */ {stopping, stopping, stopping, stopping, stopping, stopped, stopping, stopping, stopping, stopping, stopping, stopping, stopping, stopping},
        /* backoff   */ {starting, starting, backoff, backoff, backoff, backoff, backoff, backoff, backoff, backoff, starting, backoff, stopped, backoff},
        /* exited    */ {starting, starting, exited_, exited_, exited_, exited_, exited_, exited_, exited_, exited_, exited_, exited_, stopped, exited_},
        /* fatal     */ {starting, starting, fatal, fatal, fatal, fatal, fatal, fatal, fatal, fatal, fatal, fatal, stopped, fatal},
        /* completed */ {starting, starting, completed, completed, completed, completed, completed, completed, completed, completed, completed, completed, stopped, completed},
        /* failed    */ {starting, starting, failed, failed, failed, failed, failed, failed, failed, failed, failed, failed, stopped, failed},
    };
    static_assert(std::size(kEventKinds) == 14);
    for (std::size_t row = 0; row < std::size(states); ++row)
        for (std::size_t col = 0; col < std::size(kEventKinds); ++col) {
            auto m = in_state(states[row]);
            REQUIRE(m.state() == states[row]);
            std::string cell = std::string(to_string(states[row])) + " + " + to_string(kEventKinds[col]);
            CAPTURE(cell);
            auto t = m.step(event_of(kEventKinds[col]), t0);
            CHECK(t.to == expected[row][col]);
            // A spawn is asked for exactly when a start begins.
            CHECK(has(t, spawn()) == (t.to == starting && states[row] != starting));
            // SIGKILL comes only from the escalations of a stop.
            bool escalation = states[row] == stopping &&
                              (kEventKinds[col] == EventKind::stop_timeout || kEventKinds[col] == EventKind::kill);
            CHECK(has(t, signal_group(SIGKILL)) == escalation);
        }
}

namespace {

ServicePolicy oneshot(RestartPolicy restart = RestartPolicy::on_failure, int max_restarts = 1) {
    auto p = policy(restart, max_restarts);
    p.oneshot = true;
    return p;
}

ServicePolicy checked(Duration timeout = Duration{0}) {
    auto p = policy();
    p.readiness.external = true;
    p.readiness.timeout = timeout;
    return p;
}

}  // namespace

TEST_CASE("a one-shot is never running: it stays starting, then completes") {
    ServiceMachine m(oneshot());
    m.step(ev(EventKind::start), t0);
    auto t = m.step(ev(EventKind::spawned), t0);
    CHECK(t.to == ServiceState::starting);
    CHECK(t.actions.empty());  // no min_uptime timer
    CHECK_FALSE(m.step(ev(EventKind::uptime_reached), t0).changed());
    CHECK_FALSE(m.step(ev(EventKind::ready), t0).changed());
    t = m.step(exited(0), t0);
    CHECK(t.to == ServiceState::completed);
    CHECK(t.reason == "exit code 0");
    CHECK(is_down(m.state()));
}

TEST_CASE("a failing one-shot is retried by on-failure with backoff, then failed") {
    ServiceMachine m(oneshot(RestartPolicy::on_failure, 1));
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    auto t = m.step(exited(2), t0);
    CHECK(t.to == ServiceState::backoff);
    CHECK(t.reason == "exit code 2; restart in 100ms");
    m.step(ev(EventKind::backoff_over), t0);
    m.step(ev(EventKind::spawned), t0);
    t = m.step(exited(2), t0);
    CHECK(t.to == ServiceState::failed);
    CHECK(m.fatal_reason() == "exit code 2; gave up after 2 failed starts");
    CHECK(gave_up(m.state()));
}

TEST_CASE("a one-shot with restart never fails at its first failure; always is never a loop for it") {
    ServiceMachine never(oneshot(RestartPolicy::never));
    never.step(ev(EventKind::start), t0);
    never.step(ev(EventKind::spawned), t0);
    CHECK(never.step(exited(1), t0).to == ServiceState::failed);
    ServiceMachine always(oneshot(RestartPolicy::always));
    always.step(ev(EventKind::start), t0);
    always.step(ev(EventKind::spawned), t0);
    CHECK(always.step(exited(0), t0).to == ServiceState::completed);
}

TEST_CASE("with a readiness check, min_uptime only marks started; ready comes from the check") {
    ServiceMachine m(checked(milliseconds(3000)));
    m.step(ev(EventKind::start), t0);
    auto t = m.step(ev(EventKind::spawned), t0);
    CHECK(has(t, arm(TimerKind::readiness, 1000)));
    CHECK(has(t, arm(TimerKind::ready_timeout, 3000)));
    CHECK_FALSE(m.started());
    t = m.step(ev(EventKind::uptime_reached), t0);
    CHECK_FALSE(t.changed());
    CHECK(m.started());
    t = m.step(ev(EventKind::ready), t0);
    CHECK(t.to == ServiceState::running);
    CHECK(t.reason == "ready");
}

TEST_CASE("not ready within the timeout: stopped, then settled as a failed start") {
    ServiceMachine m(checked(milliseconds(3000)));
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    auto t = m.step(ev(EventKind::ready_timeout), t0);
    CHECK(t.to == ServiceState::stopping);
    CHECK(t.reason == "not ready within 3s; stopping it");
    CHECK(has(t, signal_group(SIGTERM)));
    m.step(killed(SIGTERM), t0);
    t = m.step(ev(EventKind::group_empty), t0);
    CHECK(t.to == ServiceState::backoff);
    CHECK(t.reason == "not ready within 3s; restart in 100ms");
    CHECK(m.consecutive_failures() == 1);
}

TEST_CASE("a readiness check with no timeout given is a failed start after systemd's 90 s") {
    ServiceSpec spec;
    spec.ready.probe.kind = ProbeSpec::Kind::tcp;
    ServicePolicy p = ServicePolicy::from(spec);
    ServiceMachine m(p);
    m.step(ev(EventKind::start), t0);
    CHECK(has(m.step(ev(EventKind::spawned), t0), arm(TimerKind::ready_timeout, 90000)));
    auto t = m.step(ev(EventKind::ready_timeout), t0 + std::chrono::seconds(90));
    CHECK(t.reason == "not ready within 90s; stopping it");
}

TEST_CASE("an exit before the check said ready is a failed start") {
    ServiceMachine m(checked());
    m.step(ev(EventKind::start), t0);
    m.step(ev(EventKind::spawned), t0);
    m.step(ev(EventKind::uptime_reached), t0);
    auto t = m.step(exited(1), t0);
    CHECK(t.reason == "exit code 1 before it was ready; restart in 100ms");
}

TEST_CASE("unhealthy: a running service is stopped and restarted as a failure") {
    auto m = running();
    auto t = m.step({EventKind::unhealthy, {}, "exec probe exit code 1"}, t0);
    CHECK(t.to == ServiceState::stopping);
    CHECK(t.reason == "unhealthy: exec probe exit code 1; stopping it");
    m.step(killed(SIGTERM), t0);
    t = m.step(ev(EventKind::group_empty), t0);
    CHECK(t.to == ServiceState::backoff);
    CHECK(t.reason == "unhealthy: exec probe exit code 1; restart in 100ms");
}

TEST_CASE("an operator stop while an unhealthy service is being stopped ends stopped") {
    auto m = running();
    m.step({EventKind::unhealthy, {}, "x"}, t0);
    m.step(ev(EventKind::stop), t0);
    m.step(killed(SIGTERM), t0);
    CHECK(m.step(ev(EventKind::group_empty), t0).to == ServiceState::stopped);
}

TEST_CASE("max_restarts within a window: crashes after min_uptime count too") {
    auto p = policy(RestartPolicy::on_failure, 2);
    p.restart_window = std::chrono::seconds(60);
    auto m = running(p);
    TimePoint at = t0;
    for (int i = 0; i < 2; ++i) {
        auto t = m.step(exited(1), at);  // a crash after a good run: backoff at the initial delay
        REQUIRE(t.to == ServiceState::backoff);
        m.step(ev(EventKind::backoff_over), at);
        m.step(ev(EventKind::spawned), at);
        m.step(ev(EventKind::ready), at);
        at += std::chrono::seconds(10);
    }
    auto t = m.step(exited(1), at);
    CHECK(t.to == ServiceState::fatal);
    CHECK(m.fatal_reason() == "exit code 1; gave up after 3 failures within 1m");
}

TEST_CASE("failures older than the window are forgotten") {
    auto p = policy(RestartPolicy::on_failure, 1);
    p.restart_window = std::chrono::seconds(60);
    auto m = running(p);
    TimePoint at = t0;
    for (int i = 0; i < 5; ++i) {
        auto t = m.step(exited(1), at);
        REQUIRE(t.to == ServiceState::backoff);
        m.step(ev(EventKind::backoff_over), at);
        m.step(ev(EventKind::spawned), at);
        m.step(ev(EventKind::ready), at);
        at += std::chrono::seconds(61);
    }
}

namespace {

// A crash after a good run, and the restart that follows it at once.
Transition crash_and_restart(ServiceMachine& m, TimePoint at) {
    auto t = m.step(exited(1), at);
    if (t.to != ServiceState::backoff) return t;
    m.step(ev(EventKind::backoff_over), at);
    m.step(ev(EventKind::spawned), at);
    m.step(ev(EventKind::ready), at);
    return t;
}

}  // namespace

TEST_CASE("a crash window keeps at most count entries") {
    auto p = policy(RestartPolicy::on_failure, 5);
    p.restart_window = std::chrono::seconds(60);
    auto m = running(p);
    TimePoint at = t0;
    for (int i = 0; i < 5; ++i, at += std::chrono::seconds(1)) {
        REQUIRE(crash_and_restart(m, at).to == ServiceState::backoff);
        CHECK(m.crash_window_entries() == static_cast<std::size_t>(i + 1));
    }
    CHECK(crash_and_restart(m, at).to == ServiceState::fatal);
    CHECK(m.fatal_reason() == "exit code 1; gave up after 6 failures within 1m");
    CHECK(m.crash_window_entries() == 0);
}

TEST_CASE("a 1 s crash loop under a huge crash window keeps a bounded list, and still gives up on time") {
    auto p = policy(RestartPolicy::on_failure, 100000);
    p.restart_window = std::chrono::hours(24 * 7);
    auto m = running(p);
    TimePoint at = t0;
    for (int i = 0; i < 100000; ++i, at += std::chrono::seconds(1)) {
        REQUIRE(crash_and_restart(m, at).to == ServiceState::backoff);
        REQUIRE(m.crash_window_entries() <= 65);
    }
    CHECK(crash_and_restart(m, at).to == ServiceState::fatal);
    CHECK(m.fatal_reason() == "exit code 1; gave up after 100001 failures within 168h");
}

TEST_CASE("runs of a huge crash window forget old failures as the window moves on") {
    auto p = policy(RestartPolicy::on_failure, 1000);
    p.restart_window = std::chrono::seconds(640);  // runs of 10 s
    auto m = running(p);
    TimePoint at = t0;
    // 900 failures in 900 s: never more than 640 within the window, so it never gives up.
    for (int i = 0; i < 900; ++i, at += std::chrono::seconds(1))
        REQUIRE(crash_and_restart(m, at).to == ServiceState::backoff);
    CHECK(m.crash_window_entries() <= 65);
}

TEST_CASE("the machine's policy takes the spec's run policy and its defaults from one place") {
    ServicePolicy defaults;
    ServicePolicy from_default_spec = ServicePolicy::from(ServiceSpec{});
    CHECK(defaults.stop_timeout == from_default_spec.stop_timeout);
    CHECK(defaults.readiness.min_uptime == from_default_spec.readiness.min_uptime);
    CHECK(defaults.leftover_timeout == from_default_spec.leftover_timeout);
    CHECK(defaults.max_restarts == from_default_spec.max_restarts);

    ServiceSpec spec;
    spec.stop_signal = SIGQUIT;
    spec.max_restarts = -1;
    spec.min_uptime = milliseconds(0);
    ServicePolicy p = ServicePolicy::from(spec);
    CHECK(p.stop_signal == SIGQUIT);
    CHECK(p.max_restarts == -1);
    CHECK(p.readiness.immediate());
}

}  // namespace unit_service_machine_test
