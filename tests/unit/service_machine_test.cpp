#include <doctest/doctest.h>

#include <algorithm>

#include <csignal>

#include "tend/service/service_machine.hpp"

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

TEST_CASE("group_empty before the leader's exit is reaped changes nothing") {
    auto m = running();
    m.step(ev(EventKind::stop), t0);
    CHECK(m.step(ev(EventKind::group_empty), t0).to == ServiceState::stopping);
}

TEST_CASE("kill_mode process signals only the main process") {
    auto p = policy();
    p.kill_mode = KillMode::process;
    auto m = running(p);
    auto t = m.step(ev(EventKind::stop), t0);
    CHECK(has(t, Action{ActionKind::signal, SIGTERM, false}));
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
    }
    return ServiceMachine(policy());
}

ServiceEvent event_of(EventKind kind) {
    if (kind == EventKind::exited) return exited(1);
    if (kind == EventKind::spawn_failed) return {kind, ExitStatus::exited(127), "failed to exec x"};
    return ev(kind);
}

}  // namespace

TEST_CASE("every (state, event) cell moves to the state the header's table gives") {
    using S = ServiceState;
    constexpr S stopped = S::stopped, starting = S::starting, running_ = S::running, stopping = S::stopping,
                backoff = S::backoff, exited_ = S::exited, fatal = S::fatal;
    const S states[] = {stopped, starting, running_, stopping, backoff, exited_, fatal};
    // Columns in kEventKinds order: start restart spawned spawn_failed exited group_empty
    //                               ready backoff_over stop_timeout stop kill
    const S expected[7][11] = {
        /* stopped  */ {starting, starting, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped, stopped},
        /* starting */ {starting, stopping, starting, backoff, backoff, starting, running_, starting, starting, stopping, starting},
        /* running  */ {running_, stopping, running_, running_, backoff, running_, running_, running_, running_, stopping, running_},
        /* stopping */ {stopping, stopping, stopping, stopping, stopping, stopped, stopping, stopping, stopping, stopping, stopping},
        /* backoff  */ {starting, starting, backoff, backoff, backoff, backoff, backoff, starting, backoff, stopped, backoff},
        /* exited   */ {starting, starting, exited_, exited_, exited_, exited_, exited_, exited_, exited_, stopped, exited_},
        /* fatal    */ {starting, starting, fatal, fatal, fatal, fatal, fatal, fatal, fatal, stopped, fatal},
    };
    for (std::size_t row = 0; row < 7; ++row)
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
