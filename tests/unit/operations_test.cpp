#include <doctest/doctest.h>

#include "supervisor_harness.hpp"
#include "temp_dir.hpp"
#include "tend/supervisor/operations.hpp"

namespace unit_operations_test {

using namespace tend;
using namespace tend::test;

TEST_CASE("status reports what a service is doing, with its pid while it runs") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    ServiceStatus web = ops.status(*h.supervisor->services().find("web"));
    CHECK(web.name == "web");
    CHECK(web.state == "running");
    CHECK(web.pid == h.pid("web"));
    CHECK(web.uptime_seconds.has_value());
    CHECK(web.want == Want::up);
    h.host.exit(h.pid("web"), ExitStatus::exited(3));
    h.turn();
    web = ops.status(*h.supervisor->services().find("web"));
    REQUIRE(web.last_exit.has_value());
    CHECK(web.last_exit->value == 3);
    CHECK(web.state == "backoff");  // default backoff 1s: not yet restarted
    CHECK_FALSE(web.pid.has_value());
}

TEST_CASE("health names a fatal service and the dependant it blocks; an operator's stop is no problem") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 1h\n    max_restarts: 0\n" +
              service("web", "    depends_on: [db]\n") + service("cache"));
    Operations ops(*h.supervisor, h.loop);
    CHECK(ops.health().problems ==
          std::vector<std::string>{"db is starting", "web is waiting for db: not started yet (0s)"});
    h.host.exit(h.pid("db"), ExitStatus::exited(1));
    h.turn();
    CHECK(ops.health().problems ==
          std::vector<std::string>{"db is fatal", "web is blocked (waiting for db: fatal)"});
    ops.stop({h.supervisor->services().find("cache")}, false);
    h.turn();
    CHECK(ops.health().problems.size() == 2);
}

TEST_CASE("a dependant says in status and health what it waits for, and since when") {
    Harness h("services:\n  redis:\n    command: [redis]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 1h, probe_timeout: 1h, timeout: 0}\n" +
              service("web", "    depends_on: {redis: ready}\n"));
    Operations ops(*h.supervisor, h.loop);
    h.advance(std::chrono::seconds(12));
    ServiceStatus web = ops.status(*h.supervisor->services().find("web"));
    CHECK(web.state == "stopped");
    CHECK(web.waiting == "waiting for redis: not ready yet (12s)");
    CHECK(web.blocked_reason.empty());
    CHECK(ops.health().problems ==
          std::vector<std::string>{"redis is starting", "web is waiting for redis: not ready yet (12s)"});
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("web") == ServiceState::running);
    CHECK(ops.status(*h.supervisor->services().find("web")).waiting.empty());
}

TEST_CASE("a start's outcome: pending while starting, then done, or why it failed") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    min_uptime: 1h\n    max_restarts: 0\n");
    Operations ops(*h.supervisor, h.loop);
    const Service& api = *h.supervisor->services().find("api");
    TimePoint since = h.supervisor->clock().now() - std::chrono::seconds(1);
    CHECK_FALSE(ops.start_outcome(api, since).has_value());
    h.host.exit(h.pid("api"), ExitStatus::exited(2));
    h.turn();
    auto outcome = ops.start_outcome(api, since);
    REQUIRE(outcome.has_value());
    CHECK(outcome->find("api: fatal") == 0);
    CHECK(Operations::stop_budget({h.supervisor->services().find("api")}) == std::chrono::seconds(10));
}

TEST_CASE("a start is done by a process already running; a restart needs a new one") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    const Service& web = *h.supervisor->services().find("web");
    TimePoint later = h.supervisor->clock().now() + std::chrono::seconds(1);  // the request came after web started
    CHECK(ops.start_outcome(web, later, false) == std::string());
    CHECK_FALSE(ops.start_outcome(web, later, true).has_value());
}

TEST_CASE("a one-shot's start is done once it has completed") {
    Harness h("services:\n  init:\n    type: oneshot\n    command: [init]\n    output: null\n");
    const TimePoint before = h.supervisor->clock().now() - std::chrono::seconds(1);
    const TimePoint after = h.supervisor->clock().now() + std::chrono::seconds(1);
    const Service& init = *h.supervisor->services().find("init");
    h.host.exit(h.pid("init"), ExitStatus::exited(0));
    h.turn();
    REQUIRE(init.state() == ServiceState::completed);
    CHECK(Operations(*h.supervisor, h.loop).start_outcome(init, before) == std::string());
    // A completion from before the request is not this start's.
    CHECK_FALSE(Operations(*h.supervisor, h.loop).start_outcome(init, after).has_value());
}

namespace {

// Records what a wait's completion was called with, and how often.
struct Completed {
    int calls = 0;
    Outcome last;
    Completion callback() {
        return [this](const Outcome& outcome) {
            ++calls;
            last = outcome;
        };
    }
};

std::vector<std::string> names(const std::vector<Service*>& services) {
    std::vector<std::string> out;
    for (const Service* s : services) out.push_back(s->name());
    return out;
}

const std::string kOneWebDependsOnDb = "services:\n" + service("db") + service("web", "    depends_on: [db]\n");

}  // namespace

TEST_CASE("lookup refuses an unknown name, with the name it probably meant") {
    Harness h("services:\n" + service("web") + service("db"));
    Operations ops(*h.supervisor, h.loop);
    CHECK_THROWS_WITH_AS(ops.lookup({"webb"}, false), "no such service: webb (did you mean web?)", Refusal);
    CHECK_THROWS_WITH_AS(ops.lookup({"zzzzzzzz"}, true), "no such service: zzzzzzzz", Refusal);
}

TEST_CASE("lookup: 'all' names every service, but not past a typo beside it") {
    Harness h("services:\n" + service("web") + service("db"));
    Operations ops(*h.supervisor, h.loop);
    CHECK(names(ops.lookup({"all"}, false)) == std::vector<std::string>{"web", "db"});
    CHECK(names(ops.lookup({"db", "all"}, false)) == std::vector<std::string>{"web", "db"});
    CHECK_THROWS_WITH_AS(ops.lookup({"all", "dbb"}, false), "no such service: dbb (did you mean db?)", Refusal);
}

TEST_CASE("lookup: names in the order given, each once; no name is every service only where that is asked for") {
    Harness h("services:\n" + service("web") + service("db"));
    Operations ops(*h.supervisor, h.loop);
    CHECK(names(ops.lookup({"db", "web", "db"}, false)) == std::vector<std::string>{"db", "web"});
    CHECK(names(ops.lookup({}, true)) == std::vector<std::string>{"web", "db"});
    CHECK_THROWS_WITH_AS(ops.lookup({}, false), "name at least one service, or 'all'", Refusal);
}

TEST_CASE("a stop is refused while running services depend on it, and nothing is stopped") {
    Harness h(kOneWebDependsOnDb);
    Operations ops(*h.supervisor, h.loop);
    CHECK_THROWS_WITH_AS(ops.stop({h.supervisor->services().find("db")}, false),
                         "running services depend on it: web (stop them too, first, with --with-dependants; or name them)",
                         Refusal);
    h.turn();
    CHECK(h.state("db") == ServiceState::running);
    CHECK(h.host.sent.empty());
    // Named together, web is no dependant left behind.
    LifecycleRequest both = ops.stop(ops.lookup({"db", "web"}, false), false);
    CHECK(names(both.services) == std::vector<std::string>{"db", "web"});
}

TEST_CASE("a stop with its dependants stops them too, and its wait completes once all are down") {
    Harness h(kOneWebDependsOnDb);
    Operations ops(*h.supervisor, h.loop);
    LifecycleRequest request = ops.stop({h.supervisor->services().find("db")}, true);
    CHECK(names(request.services) == std::vector<std::string>{"db", "web"});
    Completed done;
    Subscription wait = ops.await(request, 0s, done.callback());
    CHECK(wait);  // not down yet: the stops go out on the next turn
    CHECK(done.calls == 0);
    for (int i = 0; i < 4 && done.calls == 0; ++i) h.turn();
    CHECK(done.calls == 1);
    CHECK(done.last.ok());
    CHECK(h.state("db") == ServiceState::stopped);
    CHECK(h.state("web") == ServiceState::stopped);
}

TEST_CASE("a start's wait completes once the service runs (here at once: it runs once spawned)") {
    Harness h("services:\n" + service("web", "    autostart: false\n"));
    Operations ops(*h.supervisor, h.loop);
    REQUIRE(h.state("web") == ServiceState::stopped);
    Completed done;
    Subscription wait = ops.await(ops.start({h.supervisor->services().find("web")}), 60s, done.callback());
    h.turn();
    CHECK(h.state("web") == ServiceState::running);
    CHECK(done.calls == 1);
    CHECK(done.last.ok());
}

TEST_CASE("a start's wait ends with why, when the service gives up") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    autostart: false\n"
              "    min_uptime: 1h\n    max_restarts: 0\n");
    Operations ops(*h.supervisor, h.loop);
    Completed done;
    Subscription wait = ops.await(ops.start({h.supervisor->services().find("api")}), 60s, done.callback());
    h.turn();
    REQUIRE(h.state("api") == ServiceState::starting);
    CHECK(done.calls == 0);
    h.host.exit(h.pid("api"), ExitStatus::exited(2));
    h.turn();
    CHECK(done.calls == 1);
    CHECK(done.last.error.find("api: fatal") == 0);
}

TEST_CASE("a wait times out once, with what it waited for, and is not called again") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    min_uptime: 1h\n");
    Operations ops(*h.supervisor, h.loop);
    Completed done;
    Subscription wait = ops.await(ops.restart({h.supervisor->services().find("api")}), 0s, done.callback());
    h.turn();
    CHECK(done.calls == 1);
    CHECK(done.last.error == "restart timed out after 0s");
    h.host.exit(h.pid("api"), ExitStatus::exited(2));
    h.turn();
    CHECK(done.calls == 1);
    wait.reset();  // after the timeout: nothing left to cancel
}

TEST_CASE("wait for a state times out naming it; for a condition completes when it is met") {
    Harness h("services:\n" + service("web") + "  init:\n    type: oneshot\n    command: [init]\n    output: null\n");
    Operations ops(*h.supervisor, h.loop);
    Completed stopped;
    Subscription a = ops.wait_for({h.supervisor->services().find("web")}, ServiceState::stopped, 0s, stopped.callback());
    Completed completed;
    Subscription b = ops.wait_for({h.supervisor->services().find("init")}, DependencyCondition::completed, 60s, completed.callback());
    h.turn();
    CHECK(stopped.calls == 1);
    CHECK(stopped.last.error == "wait timed out after 0s for state stopped");
    CHECK(completed.calls == 0);
    h.host.exit(h.pid("init"), ExitStatus::exited(0));
    h.turn();
    CHECK(completed.calls == 1);
    CHECK(completed.last.ok());
}

TEST_CASE("a restart's wait needs a new process: the old one still running does not complete it") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    pid_t old_pid = h.pid("web");
    h.advance(1s);  // the restart is asked for after web started
    Completed done;
    Subscription wait = ops.await(ops.restart({h.supervisor->services().find("web")}), 60s, done.callback());
    CHECK(done.calls == 0);
    for (int i = 0; i < 4 && done.calls == 0; ++i) h.turn();
    CHECK(done.calls == 1);
    CHECK(done.last.ok());
    CHECK(h.pid("web") != old_pid);
    CHECK_FALSE(h.host.is_alive(old_pid));
    CHECK(h.state("web") == ServiceState::running);
}

TEST_CASE("a wait already settled completes at once and returns an empty handle; a dropped one is never called") {
    Harness h("services:\n" + service("web") + service("db"));
    Operations ops(*h.supervisor, h.loop);
    Completed running;
    Subscription at_once = ops.await(ops.start({h.supervisor->services().find("web")}), 60s, running.callback());
    CHECK_FALSE(at_once);
    CHECK(running.calls == 1);
    CHECK(running.last.ok());
    Completed dropped;
    Subscription wait = ops.await(ops.stop({h.supervisor->services().find("db")}, false), 60s, dropped.callback());
    REQUIRE(wait);
    wait.reset();
    for (int i = 0; i < 3; ++i) h.turn();
    CHECK(h.state("db") == ServiceState::stopped);
    CHECK(dropped.calls == 0);
}

TEST_CASE("while tend shuts down, start and restart are refused; a stop is not") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    ops.shutdown("test");
    CHECK_THROWS_WITH_AS(ops.start({h.supervisor->services().find("web")}), "tend is shutting down", Refusal);
    CHECK_THROWS_WITH_AS(ops.restart({h.supervisor->services().find("web")}), "tend is shutting down", Refusal);
    CHECK_NOTHROW(ops.stop({h.supervisor->services().find("web")}, false));
    CHECK(ops.health().problems == std::vector<std::string>{"tend is shutting down"});
}

TEST_CASE("a signal to one service that is not running is refused; among several, it is left out") {
    Harness h("services:\n" + service("web") + service("db", "    autostart: false\n"));
    Operations ops(*h.supervisor, h.loop);
    CHECK_THROWS_WITH_AS(ops.signal({h.supervisor->services().find("db")}, SIGHUP), "db is not running", Refusal);
    CHECK(names(ops.signal(ops.lookup({"all"}, false), SIGHUP)) == std::vector<std::string>{"web"});
    CHECK(h.host.signals_to(h.pid("web")) == std::vector<int>{SIGHUP});
    CHECK(ops.main_pid(*h.supervisor->services().find("web")) == h.pid("web"));
    CHECK_FALSE(ops.main_pid(*h.supervisor->services().find("db")).has_value());
}

TEST_CASE("logs of a named service whose output is not captured are refused; unnamed, it is skipped") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    CHECK_THROWS_WITH_AS(ops.logs(ops.lookup({"web"}, false), std::nullopt, true),
                         "web's output is not captured (output: null), so tend keeps none of it", Refusal);
    CHECK(ops.logs(ops.lookup({}, true), std::nullopt, false).empty());
}

// ---- waits against the clock ------------------------------------------------

namespace {

// Time passes up to `at` since now: the wait has not completed a millisecond before, and has at `at`.
void check_completes_at(Harness& h, const Completed& done, Duration at) {
    h.advance(at - 1ms);
    CHECK(done.calls == 0);
    h.advance(1ms);
    CHECK(done.calls == 1);
}

}  // namespace

TEST_CASE("a start's wait times out exactly at its timeout, not a millisecond before") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    autostart: false\n    min_uptime: 1h\n");
    Operations ops(*h.supervisor, h.loop);
    Completed done;
    Subscription wait = ops.await(ops.start({h.supervisor->services().find("api")}), 30s, done.callback());
    check_completes_at(h, done, 30s);
    CHECK(done.last.error == "start timed out after 30s");
    CHECK(h.state("api") == ServiceState::starting);  // the wait ends; the start goes on
}

TEST_CASE("a start's wait completes when min_uptime has passed, before its timeout") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    autostart: false\n    min_uptime: 5s\n");
    Operations ops(*h.supervisor, h.loop);
    Completed done;
    Subscription wait = ops.await(ops.start({h.supervisor->services().find("api")}), 60s, done.callback());
    check_completes_at(h, done, 5s);
    CHECK(done.last.ok());
}

TEST_CASE("a stop's wait (timeout 0: its stop budget) completes when SIGKILL at stop_timeout ends the service") {
    Harness h("services:\n" + service("stubborn", "    stop_timeout: 20s\n"), {"stubborn"});
    Operations ops(*h.supervisor, h.loop);
    Completed done;
    Subscription wait = ops.await(ops.stop({h.supervisor->services().find("stubborn")}, false), 0s, done.callback());
    check_completes_at(h, done, 20s);
    CHECK(done.last.ok());
    CHECK(h.state("stubborn") == ServiceState::stopped);
}

TEST_CASE("a wait for `ready` completes when the readiness check passes, and one for `healthy` after the health check") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 1s}\n    health: {exec: [check], interval: 10s}\n");
    Operations ops(*h.supervisor, h.loop);
    Completed ready, healthy;
    Subscription a = ops.wait_for({h.supervisor->services().find("db")}, DependencyCondition::ready, 60s, ready.callback());
    Subscription b = ops.wait_for({h.supervisor->services().find("db")}, DependencyCondition::healthy, 60s, healthy.callback());
    h.advance(10s);
    CHECK(ready.calls == 0);
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(ready.calls == 1);
    CHECK(ready.last.ok());
    CHECK(healthy.calls == 0);
    h.host.exit(h.pid("check"), ExitStatus::exited(0));
    h.turn();
    CHECK(healthy.calls == 1);
    CHECK(healthy.last.ok());
}

TEST_CASE("a wait dropped before its timeout is not called when the time comes") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    autostart: false\n    min_uptime: 1h\n");
    Operations ops(*h.supervisor, h.loop);
    Completed kept, dropped;
    Subscription a = ops.await(ops.start({h.supervisor->services().find("api")}), 10s, kept.callback());
    Subscription b = ops.await(ops.start({h.supervisor->services().find("api")}), 10s, dropped.callback());
    h.advance(5s);
    b.reset();
    h.advance(5s);
    CHECK(kept.calls == 1);
    CHECK(dropped.calls == 0);
}

namespace {

// A supervisor whose config is a file, for reloads through Operations.
struct ReloadFixture {
    TempDir dir;
    std::string path;
    Harness h;
    Operations ops;
    explicit ReloadFixture(const std::string& yaml, std::set<std::string> ignoring = {})
        : path(dir.write("tend.yaml", yaml)),
          h(yaml, std::move(ignoring), SupervisorOptions{false, false, path, {}, {}}),
          ops(*h.supervisor, h.loop) {}
    void rewrite(const std::string& yaml) { dir.write("tend.yaml", yaml); }
    // The file is read on a thread of its own, which ends on real time: turn
    // the loop (the fake clock stays put) until `settled`, for at most 10 s.
    void turn_until(const std::function<bool()>& settled) {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!settled() && std::chrono::steady_clock::now() < deadline) {
            h.loop.run_once(10ms);
            h.turn();
        }
    }
};

// Records what a reload's completion was called with, and how often.
struct Reloaded {
    int calls = 0;
    Outcome last;
    ReloadOutcome result;
    ReloadCompletion callback() {
        return [this](const Outcome& outcome, const ReloadOutcome& applied) {
            ++calls;
            last = outcome;
            result = applied;
        };
    }
};

std::vector<std::string> described(const ConfigDiff& diff) {
    std::vector<std::string> out;
    for (const auto& d : diff.services) out.push_back(describe(d));
    return out;
}

}  // namespace

TEST_CASE("a reload completes once its plan is applied: not when the file is read, but when a removed service is down") {
    ReloadFixture f("services:\n" + service("keep") + service("old", "    stop_timeout: 4s\n"), {"old"});
    pid_t keep = f.h.pid("keep"), old = f.h.pid("old");
    f.rewrite("services:\n" + service("keep"));
    Reloaded done;
    Subscription wait = f.ops.reload(false, done.callback());
    f.turn_until([&] { return f.h.supervisor->reloading() || done.calls > 0; });
    REQUIRE(f.h.supervisor->reloading());  // read and applied: old is stopping
    CHECK(done.calls == 0);
    f.h.advance(3999ms);
    CHECK(done.calls == 0);
    CHECK(f.h.host.is_alive(old));
    f.h.advance(1ms);  // old's stop_timeout: SIGKILL
    CHECK_FALSE(f.h.host.is_alive(old));
    REQUIRE(done.calls == 1);
    CHECK(done.last.ok());
    CHECK(described(done.result.diff) == std::vector<std::string>{"= keep", "- old"});
    CHECK(f.h.host.is_alive(keep));
    CHECK(f.h.supervisor->services().find("old") == nullptr);
}

TEST_CASE("a reload during a reload's stop is refused at once; the first completes when its stop ends") {
    ReloadFixture f("services:\n" + service("keep") + service("old", "    stop_timeout: 4s\n"), {"old"});
    f.rewrite("services:\n" + service("keep"));
    Reloaded first, second;
    Subscription a = f.ops.reload(false, first.callback());
    f.turn_until([&] { return f.h.supervisor->reloading() || first.calls > 0; });
    REQUIRE(f.h.supervisor->reloading());
    f.rewrite("services:\n" + service("keep") + service("new"));
    Subscription b = f.ops.reload(false, second.callback());
    f.turn_until([&] { return second.calls > 0; });
    REQUIRE(second.calls == 1);
    CHECK(second.last.error == "reload refused: a reload is in progress (stopping old); try again when it has finished");
    CHECK(f.h.supervisor->services().find("new") == nullptr);
    CHECK(first.calls == 0);
    f.h.advance(4s);
    CHECK(first.calls == 1);
    CHECK(first.last.ok());
    CHECK(second.calls == 1);
}

TEST_CASE("a reload of a config with errors is refused with them, and leaves every service running as it was") {
    ReloadFixture f("services:\n" + service("web") + service("db"));
    pid_t web = f.h.pid("web"), db = f.h.pid("db");
    f.rewrite("services:\n  web:\n    command: [web]\n    stop_timeout: soon\n");
    Reloaded done;
    Subscription wait = f.ops.reload(false, done.callback());
    f.turn_until([&] { return done.calls > 0; });
    REQUIRE(done.calls == 1);
    CHECK(done.last.error.rfind("the config has errors; nothing changed:\n", 0) == 0);
    CHECK(done.last.error.find("stop_timeout") != std::string::npos);
    f.h.advance(1h);
    CHECK(f.h.host.is_alive(web));
    CHECK(f.h.host.is_alive(db));
    CHECK(f.h.host.sent.empty());
    CHECK(f.h.spawn_order().size() == 2);
    CHECK(f.h.state("web") == ServiceState::running);
    CHECK(f.h.state("db") == ServiceState::running);
    CHECK(done.calls == 1);
}

}  // namespace unit_operations_test
