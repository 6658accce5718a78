#include <doctest/doctest.h>

#include "supervisor_harness.hpp"
#include "tend/supervisor/operations.hpp"

using namespace tend;
using namespace tend::test;

TEST_CASE("status reports what a service is doing, with its pid while it runs") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor);
    ServiceStatus web = ops.status(*h.supervisor->find("web"));
    CHECK(web.name == "web");
    CHECK(web.state == "running");
    CHECK(web.pid == h.pid("web"));
    CHECK(web.uptime_seconds.has_value());
    CHECK(web.want == Want::up);
    h.host.exit(h.pid("web"), ExitStatus::exited(3));
    h.turn();
    web = ops.status(*h.supervisor->find("web"));
    REQUIRE(web.last_exit.has_value());
    CHECK(web.last_exit->value == 3);
    CHECK(web.state == "backoff");  // default backoff 1s: not yet restarted
    CHECK_FALSE(web.pid.has_value());
}

TEST_CASE("health names a fatal service and the dependant it blocks; an operator's stop is no problem") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 1h\n    max_restarts: 0\n" +
              service("web", "    depends_on: [db]\n") + service("cache"));
    Operations ops(*h.supervisor);
    CHECK(ops.health().problems ==
          std::vector<std::string>{"db is starting", "web is waiting for db: not started yet (0s)"});
    h.host.exit(h.pid("db"), ExitStatus::exited(1));
    h.turn();
    CHECK(ops.health().problems ==
          std::vector<std::string>{"db is fatal", "web is blocked (waiting for db: fatal)"});
    REQUIRE(ops.stop(*h.supervisor->find("cache")).empty());
    h.turn();
    CHECK(ops.health().problems.size() == 2);
}

TEST_CASE("a dependant says in status and health what it waits for, and since when") {
    Harness h("services:\n  redis:\n    command: [redis]\n    output: null\n    min_uptime: 0\n"
              "    ready: {exec: [isready], interval: 1h, timeout: 0}\n" +
              service("web", "    depends_on: {redis: ready}\n"));
    Operations ops(*h.supervisor);
    h.host.clock += std::chrono::seconds(12);
    ServiceStatus web = ops.status(*h.supervisor->find("web"));
    CHECK(web.state == "stopped");
    CHECK(web.waiting == "waiting for redis: not ready yet (12s)");
    CHECK(web.blocked_reason.empty());
    CHECK(ops.health().problems ==
          std::vector<std::string>{"redis is starting", "web is waiting for redis: not ready yet (12s)"});
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("web") == ServiceState::running);
    CHECK(ops.status(*h.supervisor->find("web")).waiting.empty());
}

TEST_CASE("a start's outcome: pending while starting, then done, or why it failed") {
    Harness h("services:\n  api:\n    command: [api]\n    output: null\n    min_uptime: 1h\n    max_restarts: 0\n");
    Operations ops(*h.supervisor);
    const Service& api = *h.supervisor->find("api");
    TimePoint since = h.supervisor->now() - std::chrono::seconds(1);
    CHECK_FALSE(ops.start_outcome(api, since).has_value());
    h.host.exit(h.pid("api"), ExitStatus::exited(2));
    h.turn();
    auto outcome = ops.start_outcome(api, since);
    REQUIRE(outcome.has_value());
    CHECK(outcome->find("api: fatal") == 0);
    CHECK(Operations::stop_budget({h.supervisor->find("api")}) == std::chrono::seconds(10));
}

TEST_CASE("a start is done by a process already running; a restart needs a new one") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor);
    const Service& web = *h.supervisor->find("web");
    TimePoint later = h.supervisor->now() + std::chrono::seconds(1);  // the request came after web started
    CHECK(ops.start_outcome(web, later, false) == std::string());
    CHECK_FALSE(ops.start_outcome(web, later, true).has_value());
}

TEST_CASE("a one-shot's start is done once it has completed") {
    Harness h("services:\n  init:\n    type: oneshot\n    command: [init]\n    output: null\n");
    const TimePoint before = h.supervisor->now() - std::chrono::seconds(1);
    const TimePoint after = h.supervisor->now() + std::chrono::seconds(1);
    const Service& init = *h.supervisor->find("init");
    h.host.exit(h.pid("init"), ExitStatus::exited(0));
    h.turn();
    REQUIRE(init.state() == ServiceState::completed);
    CHECK(Operations(*h.supervisor).start_outcome(init, before) == std::string());
    // A completion from before the request is not this start's.
    CHECK_FALSE(Operations(*h.supervisor).start_outcome(init, after).has_value());
}
