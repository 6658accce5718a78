// The supervisor through a fake process host: no processes, no sleeps.
#include <doctest/doctest.h>

#include <algorithm>

#include "supervisor_harness.hpp"

namespace unit_supervisor_test {

using namespace tend;
using namespace tend::test;
using namespace std::chrono_literals;


TEST_CASE("dependencies start first; a dependant waits until its dependency is running") {
    Harness h("services:\n" + service("web", "    depends_on: [db]\n") +
              "  db:\n    command: [db]\n    output: null\n    min_uptime: 1h\n");
    CHECK(h.spawn_order() == std::vector<std::string>{"db"});  // db is starting, not yet running
    CHECK(h.state("web") == ServiceState::stopped);
}

TEST_CASE("independent services and a chain start in dependency order") {
    Harness h("services:\n" + service("web", "    depends_on: [db]\n") + service("db", "    depends_on: [init]\n") +
              service("init") + service("cache"));
    CHECK(h.spawn_order() == std::vector<std::string>{"init", "db", "web", "cache"});
}

TEST_CASE("a crash restarts the service; past max_restarts of failed starts it is fatal") {
    Harness h("services:\n  flaky:\n    command: [flaky]\n    output: null\n    min_uptime: 1h\n"
              "    max_restarts: 1\n    backoff: {initial: 0}\n");
    h.host.exit(h.pid("flaky"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.spawn_order().size() == 2);  // restarted once, at once (zero backoff)
    h.host.exit(h.pid("flaky"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.state("flaky") == ServiceState::fatal);
    CHECK(h.spawn_order().size() == 2);
}

TEST_CASE("a reload adds, removes and replaces services, and keeps unchanged ones") {
    Harness h("services:\n" + service("keep") + service("old") + service("change"));
    pid_t keep = h.pid("keep"), old = h.pid("old"), changed = h.pid("change");
    auto outcome = h.supervisor->apply_config(
        parse_config("services:\n" + service("keep") + service("new") +
                         "  change:\n    command: [change, --v2]\n    min_uptime: 0\n    output: null\n",
                     "t.yaml"),
        false);
    REQUIRE(outcome.ok());
    h.turn();
    CHECK(h.host.is_alive(keep));
    CHECK_FALSE(h.host.is_alive(old));
    CHECK_FALSE(h.host.is_alive(changed));
    CHECK(h.host.is_alive(h.pid("new")));
    CHECK(h.pid("change") != changed);  // the new definition runs
    CHECK_FALSE(h.supervisor->reloading());
}

TEST_CASE("an operator's stop survives a reload") {
    Harness h("services:\n" + service("web"));
    REQUIRE(h.supervisor->stop(*h.supervisor->services().find("web")).empty());
    h.turn();
    REQUIRE(h.state("web") == ServiceState::stopped);
    REQUIRE(h.supervisor->apply_config(parse_config("services:\n" + service("web"), "t.yaml"), false).ok());
    h.turn();
    CHECK(h.state("web") == ServiceState::stopped);
    CHECK(h.spawn_order().size() == 1);
    CHECK(h.supervisor->services().find("web")->goal.stopped_by_operator());
}

TEST_CASE("a one-shot's dependants start once it completed; a running one-shot is not started enough") {
    Harness h("services:\n  init:\n    command: [init]\n    output: null\n    type: oneshot\n" +
              service("app", "    depends_on: [init]\n"));
    CHECK(h.state("init") == ServiceState::starting);
    CHECK(h.spawn_order() == std::vector<std::string>{"init"});
    CHECK(h.supervisor->services().find("init")->goal.want == Want::once);
    h.host.exit(h.pid("init"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("init") == ServiceState::completed);
    CHECK(h.spawn_order() == std::vector<std::string>{"init", "app"});
}

TEST_CASE("a required dependency that failed blocks; one that is not required does not") {
    Harness h("services:\n  init:\n    command: [init]\n    output: null\n    type: oneshot\n    restart: never\n" +
              service("strict", "    depends_on: {init: completed}\n") +
              service("lenient", "    depends_on: {init: {condition: completed, required: false}}\n"));
    h.host.exit(h.pid("init"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.state("init") == ServiceState::failed);
    CHECK(h.supervisor->services().find("strict")->blocked_reason == "waiting for init: failed");
    CHECK(h.state("lenient") == ServiceState::running);
}

TEST_CASE("a readiness check holds back `ready` dependants but not `started` ones") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 1h}\n" +
              service("reader", "    depends_on: {db: ready}\n") + service("early", "    depends_on: {db: started}\n"));
    CHECK(h.state("db") == ServiceState::starting);
    CHECK(h.state("reader") == ServiceState::stopped);
    CHECK(h.state("early") == ServiceState::running);  // min_uptime 0: started at once
    CHECK(h.state("reader") == ServiceState::stopped);
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("db") == ServiceState::running);
    CHECK(h.state("reader") == ServiceState::running);
    CHECK(h.supervisor->orphans_reaped() == 0);  // the check's process was no orphan
}

TEST_CASE("exit_when any_fatal ends tend with 1 when a service gives up") {
    Harness h("settings:\n  exit_when: {any_fatal: true}\nservices:\n"
              "  flaky:\n    command: [flaky]\n    output: null\n    min_uptime: 1h\n    max_restarts: 0\n" +
              service("web"));
    h.host.exit(h.pid("flaky"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.state("flaky") == ServiceState::fatal);
    CHECK(h.supervisor->shutting_down());
    h.turn();  // web's exit on SIGTERM
    CHECK(h.loop.finished_with() == 1);
}

TEST_CASE("a crash loop the count form of max_restarts never ends is said once, naming {count, within}") {
    Harness h("services:\n  loop:\n    command: [loop]\n    output: null\n    min_uptime: 0\n"
              "    max_restarts: 3\n    backoff: {initial: 0}\n");
    LogCapture log;
    for (int i = 0; i < 20; ++i) {
        h.advance(std::chrono::seconds(1));
        h.host.exit(h.pid("loop"), ExitStatus::exited(1));
        h.turn();
        REQUIRE(h.state("loop") == ServiceState::running);
    }
    CHECK(h.spawn_order().size() == 21);
    CHECK(log.lines_with("max_restarts") ==
          std::vector<std::string>{"loop: crashed and restarted 5 times within 1m; max_restarts: 3 counts only failed "
                                   "starts in a row (exits before it was up), so this loop never ends; to give up on "
                                   "it, use max_restarts: {count, within}, e.g. {count: 5, within: 1m}"});
}

TEST_CASE("crashes a minute apart, and crash loops under the {count, within} form, get no hint") {
    Harness h("services:\n  slow:\n    command: [slow]\n    output: null\n    min_uptime: 0\n"
              "    max_restarts: 3\n    backoff: {initial: 0}\n"
              "  windowed:\n    command: [windowed]\n    output: null\n    min_uptime: 0\n"
              "    max_restarts: {count: 100, within: 1m}\n    backoff: {initial: 0}\n");
    LogCapture log;
    for (int i = 0; i < 20; ++i) {
        h.advance(std::chrono::seconds(16));
        h.host.exit(h.pid("slow"), ExitStatus::exited(1));
        h.host.exit(h.pid("windowed"), ExitStatus::exited(1));
        h.turn();
    }
    CHECK(h.state("slow") == ServiceState::running);
    CHECK(log.lines_with("max_restarts").empty());
}

TEST_CASE("a dependant waiting for a dependency says so once in the log as the wait begins") {
    Harness h("services:\n  redis:\n    command: [redis]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 1h, probe_timeout: 1h}\n" +
              service("web", "    depends_on: {redis: ready}\n    autostart: false\n"));
    LogCapture log;
    REQUIRE(h.supervisor->start(*h.supervisor->services().find("web")).empty());
    for (int i = 0; i < 3; ++i) {
        h.advance(std::chrono::seconds(5));
        h.turn();
    }
    CHECK(log.lines_with("waiting") == std::vector<std::string>{"web: waiting for redis: not ready yet"});
    CHECK(h.supervisor->services().find("web")->waiting_for == "redis: not ready yet");
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("web") == ServiceState::running);
    CHECK(h.supervisor->services().find("web")->waiting_for.empty());
}

// ---- time: everything below moves the fake clock; nothing waits ------------

TEST_CASE("a failed start waits out its backoff, which grows by its factor up to its max") {
    Harness h("services:\n  flaky:\n    command: [flaky]\n    output: null\n    min_uptime: 1h\n"
              "    max_restarts: -1\n    backoff: {initial: 1s, factor: 2, max: 3s}\n");
    for (Duration delay : {1000ms, 2000ms, 3000ms, 3000ms}) {
        const std::size_t spawns = h.spawn_order().size();
        h.host.exit(h.pid("flaky"), ExitStatus::exited(1));
        h.turn();
        REQUIRE(h.state("flaky") == ServiceState::backoff);
        h.advance(delay - 1ms);
        CHECK(h.spawn_order().size() == spawns);  // not a millisecond early
        h.advance(1ms);
        CHECK(h.spawn_order().size() == spawns + 1);
        CHECK(h.state("flaky") == ServiceState::starting);
    }
}

TEST_CASE("exits before min_uptime are failed starts: past max_restarts the service is fatal, saying why") {
    Harness h("services:\n  flaky:\n    command: [flaky]\n    output: null\n    min_uptime: 10s\n"
              "    max_restarts: 2\n    backoff: {initial: 0}\n");
    for (int i = 0; i < 2; ++i) {
        h.advance(9s);
        h.host.exit(h.pid("flaky"), ExitStatus::exited(1));
        h.turn();
        REQUIRE(h.state("flaky") == ServiceState::starting);
    }
    h.host.exit(h.pid("flaky"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.state("flaky") == ServiceState::fatal);
    CHECK(h.spawn_order().size() == 3);
    CHECK(h.supervisor->services().find("flaky")->machine().fatal_reason() ==
          "exit code 1 before min_uptime 10s; gave up after 3 failed starts");
}

TEST_CASE("running past min_uptime makes it started and forgets the failed starts before") {
    Harness h("services:\n  app:\n    command: [app]\n    output: null\n    min_uptime: 5s\n"
              "    max_restarts: 1\n    backoff: {initial: 0}\n");
    h.host.exit(h.pid("app"), ExitStatus::exited(1));  // one failed start: the one allowed
    h.turn();
    h.advance(4999ms);
    CHECK(h.state("app") == ServiceState::starting);
    h.advance(1ms);
    CHECK(h.state("app") == ServiceState::running);
    h.host.exit(h.pid("app"), ExitStatus::exited(1));  // a crash, not a failed start
    h.turn();
    h.host.exit(h.pid("app"), ExitStatus::exited(1));  // a failed start again: the count began anew
    h.turn();
    CHECK(h.state("app") == ServiceState::starting);
    CHECK(h.spawn_order().size() == 4);
}

TEST_CASE("max_restarts {count, within} gives up on the failure past count within the window, not on older ones") {
    Harness h("services:\n  app:\n    command: [app]\n    output: null\n    min_uptime: 0\n"
              "    max_restarts: {count: 2, within: 1m}\n    backoff: {initial: 0}\n");
    auto crash = [&] {
        h.host.exit(h.pid("app"), ExitStatus::exited(1));
        h.turn();
    };
    crash();
    h.advance(30s);
    crash();
    h.advance(31s);  // the first crash is out of the window now
    crash();
    CHECK(h.state("app") == ServiceState::running);
    crash();  // three within the last minute
    CHECK(h.state("app") == ServiceState::fatal);
    CHECK(h.supervisor->services().find("app")->machine().fatal_reason() == "exit code 1; gave up after 3 failures within 1m");
}

TEST_CASE("restart on-failure restarts a failure but not a clean exit; restart never restarts nothing") {
    Harness h("services:\n" + service("fails", "    restart: on-failure\n    backoff: {initial: 0}\n") +
              service("clean", "    restart: on-failure\n") + service("once", "    restart: never\n"));
    h.host.exit(h.pid("fails"), ExitStatus::exited(1));
    h.host.exit(h.pid("clean"), ExitStatus::exited(0));
    h.host.exit(h.pid("once"), ExitStatus::killed(SIGSEGV));
    h.turn();
    h.advance(1h);
    CHECK(h.state("fails") == ServiceState::running);
    CHECK(h.state("clean") == ServiceState::exited);
    CHECK(h.state("once") == ServiceState::exited);
    CHECK(h.spawn_order().size() == 4);
}

TEST_CASE("a stop sends stop_signal, and SIGKILL exactly when stop_timeout has passed") {
    Harness h("services:\n" + service("stubborn", "    stop_timeout: 5s\n    stop_signal: SIGQUIT\n"), {"stubborn"});
    pid_t pid = h.pid("stubborn");
    REQUIRE(h.supervisor->stop(*h.supervisor->services().find("stubborn")).empty());
    h.turn();
    CHECK(h.host.first_signal_to(pid) == SIGQUIT);
    h.advance(4999ms);
    CHECK_FALSE(got(h, pid, SIGKILL));
    CHECK(h.state("stubborn") == ServiceState::stopping);
    h.advance(1ms);
    CHECK(got(h, pid, SIGKILL));
    CHECK(h.state("stubborn") == ServiceState::stopped);
    CHECK(h.supervisor->services().find("stubborn")->machine().needed_kill());
}

TEST_CASE("a service that stops in time gets no SIGKILL later: its stop timer is cancelled") {
    Harness h("services:\n" + service("web", "    stop_timeout: 5s\n"));
    pid_t pid = h.pid("web");
    REQUIRE(h.supervisor->stop(*h.supervisor->services().find("web")).empty());
    h.turn();
    REQUIRE(h.state("web") == ServiceState::stopped);
    h.advance(1h);
    CHECK(h.host.first_signal_to(pid) == SIGTERM);
    CHECK_FALSE(got(h, pid, SIGKILL));
    CHECK_FALSE(h.supervisor->services().find("web")->machine().needed_kill());
}

TEST_CASE("an operator's stop during backoff cancels the restart") {
    Harness h("services:\n" + service("web", "    backoff: {initial: 5s}\n"));
    h.host.exit(h.pid("web"), ExitStatus::exited(1));
    h.turn();
    REQUIRE(h.state("web") == ServiceState::backoff);
    REQUIRE(h.supervisor->stop(*h.supervisor->services().find("web")).empty());
    h.turn();
    h.advance(1h);
    CHECK(h.state("web") == ServiceState::stopped);
    CHECK(h.spawn_order().size() == 1);
}

TEST_CASE("a restart starts the new process only once the old one is gone, after SIGKILL if need be") {
    Harness h("services:\n" + service("stubborn", "    stop_timeout: 2s\n"), {"stubborn"});
    pid_t old = h.pid("stubborn");
    REQUIRE(h.supervisor->restart(*h.supervisor->services().find("stubborn")).empty());
    h.advance(1999ms);
    CHECK(h.spawn_order().size() == 1);  // never two beside each other
    h.advance(1ms);
    CHECK_FALSE(h.host.is_alive(old));
    CHECK(h.spawn_order().size() == 2);
    CHECK(h.state("stubborn") == ServiceState::running);
}

TEST_CASE("a readiness check that does not pass within ready.timeout fails the start; the service is restarted") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 0\n    backoff: {initial: 0}\n"
              "    ready: {exec: [isready], interval: 1h, probe_timeout: 1h, timeout: 10s}\n");
    pid_t first = h.pid("db");
    h.advance(9999ms);
    CHECK(h.state("db") == ServiceState::starting);
    CHECK(h.host.signals_to(first).empty());
    h.advance(1ms);
    CHECK(h.host.first_signal_to(first) == SIGTERM);
    CHECK(h.pid("db") != first);  // stopped, then started again
    CHECK(h.state("db") == ServiceState::starting);
    CHECK(h.supervisor->services().find("db")->machine().consecutive_failures() == 1);
}

TEST_CASE("a readiness check is tried again every interval, and the service runs once one passes") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 2s}\n");
    h.host.exit(h.pid("isready"), ExitStatus::exited(1));
    h.turn();
    h.advance(1999ms);
    CHECK(h.spawn_order() == std::vector<std::string>{"db", "isready"});
    h.advance(1ms);
    CHECK(h.spawn_order() == std::vector<std::string>{"db", "isready", "isready"});
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("db") == ServiceState::running);
}

TEST_CASE("a readiness command still running at probe_timeout is killed and counts as not ready") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 1s, probe_timeout: 3s}\n",
              {"isready"});
    pid_t probe = h.pid("isready");
    h.advance(2999ms);
    CHECK_FALSE(got(h, probe, SIGKILL));
    h.advance(1ms);
    CHECK(got(h, probe, SIGKILL));
    CHECK_FALSE(h.host.is_alive(probe));
    h.advance(1s);
    CHECK(h.pid("isready") != probe);  // the next attempt, an interval later
    CHECK(h.state("db") == ServiceState::starting);
}

TEST_CASE("a health check failing `retries` times in a row restarts the service; a pass in between resets it") {
    Harness h("services:\n  web:\n    command: [web]\n    output: null\n    min_uptime: 0\n    backoff: {initial: 0}\n"
              "    health: {exec: [check], interval: 1s, retries: 2}\n");
    pid_t web = h.pid("web");
    auto check_exits = [&](int code) {
        h.host.exit(h.pid("check"), ExitStatus::exited(code));
        h.turn();
        h.advance(1s);  // the next check, an interval later
    };
    check_exits(1);
    check_exits(0);
    check_exits(1);
    CHECK(h.host.is_alive(web));
    CHECK(h.supervisor->services().find("web")->checks->health().failures == 1);
    check_exits(1);
    CHECK_FALSE(h.host.is_alive(web));
    CHECK(h.host.first_signal_to(web) == SIGTERM);
    CHECK(h.pid("web") != web);
    CHECK(h.state("web") == ServiceState::running);
}

TEST_CASE("health failures within start_period do not count") {
    Harness h("services:\n  web:\n    command: [web]\n    output: null\n    min_uptime: 0\n"
              "    health: {exec: [check], interval: 1s, retries: 1, start_period: 5s}\n");
    pid_t web = h.pid("web");
    for (int i = 0; i < 4; ++i) {
        h.host.exit(h.pid("check"), ExitStatus::exited(1));
        h.turn();
        h.advance(1s);
    }
    CHECK(h.host.is_alive(web));
    h.advance(1s);
    h.host.exit(h.pid("check"), ExitStatus::exited(1));  // at 5s: past the start period
    h.turn();
    CHECK_FALSE(h.host.is_alive(web));
}

TEST_CASE("a reload while a removed service is still stopping is refused; once it is down, one is taken") {
    Harness h("services:\n" + service("keep") + service("old", "    stop_timeout: 4s\n"), {"old"});
    pid_t old = h.pid("old");
    const std::string next = "services:\n" + service("keep");
    REQUIRE(h.supervisor->apply_config(parse_config(next, "t.yaml"), false).ok());
    h.turn();
    CHECK(h.supervisor->reloading());
    auto refused = h.supervisor->apply_config(parse_config(next, "t.yaml"), false);
    CHECK(refused.refused == "a reload is in progress (stopping old); try again when it has finished");
    h.advance(4s);  // old gets SIGKILL
    CHECK_FALSE(h.host.is_alive(old));
    CHECK_FALSE(h.supervisor->reloading());
    CHECK(h.supervisor->apply_config(parse_config(next, "t.yaml"), false).ok());
}

TEST_CASE("a changed service is started with its new definition only once its old process is down") {
    Harness h("services:\n  app:\n    command: [app]\n    output: null\n    min_uptime: 0\n    stop_timeout: 3s\n",
              {"app"});
    pid_t old = h.pid("app");
    REQUIRE(h.supervisor->apply_config(
                parse_config("services:\n  app:\n    command: [app, --v2]\n    output: null\n    min_uptime: 0\n",
                             "t.yaml"),
                false)
                .ok());
    h.advance(2999ms);
    CHECK(h.spawn_order().size() == 1);
    h.advance(1ms);  // the old stop_timeout: SIGKILL
    CHECK_FALSE(h.host.is_alive(old));
    CHECK(h.spawn_order().size() == 2);
    CHECK(h.state("app") == ServiceState::running);
}

TEST_CASE("a dependant waits for its dependency's min_uptime, to the millisecond") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 5s\n" +
              service("web", "    depends_on: [db]\n"));
    h.advance(4999ms);
    CHECK(h.spawn_order() == std::vector<std::string>{"db"});
    h.advance(1ms);
    CHECK(h.spawn_order() == std::vector<std::string>{"db", "web"});
}

TEST_CASE("a one-shot that fails is retried after its backoff; once it gives up it is failed and blocks") {
    Harness h("services:\n  init:\n    command: [init]\n    output: null\n    type: oneshot\n"
              "    max_restarts: 1\n    backoff: {initial: 2s}\n" +
              service("app", "    depends_on: {init: completed}\n"));
    h.host.exit(h.pid("init"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.state("init") == ServiceState::backoff);
    h.advance(2s);
    CHECK(h.spawn_order() == std::vector<std::string>{"init", "init"});
    h.host.exit(h.pid("init"), ExitStatus::exited(1));
    h.turn();
    CHECK(h.state("init") == ServiceState::failed);
    CHECK(h.supervisor->services().find("app")->blocked_reason == "waiting for init: failed");
    h.advance(1h);
    CHECK(h.spawn_order().size() == 2);
}


TEST_CASE("a service with neither readiness nor health has no checks; a reload that adds health starts it at once") {
    const std::string plain = "services:\n  web:\n    command: [web]\n    output: null\n    min_uptime: 0\n";
    Harness h(plain);
    pid_t web = h.pid("web");
    CHECK(h.supervisor->services().find("web")->checks == nullptr);
    REQUIRE(h.supervisor->apply_config(
                parse_config(plain + "    health: {exec: [check], interval: 1s, retries: 1}\n", "t.yaml"), false)
                .ok());
    h.turn();
    CHECK(h.pid("web") == web);  // changed in place: not restarted
    REQUIRE(h.supervisor->services().find("web")->checks != nullptr);
    REQUIRE(h.pid("check") != 0);  // the new check runs now, not at the next start
    h.host.exit(h.pid("check"), ExitStatus::exited(1));
    h.turn();
    CHECK_FALSE(h.host.is_alive(web));  // one failure of retries: 1 restarts it
}

}  // namespace unit_supervisor_test
