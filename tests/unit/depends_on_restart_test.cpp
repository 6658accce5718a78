// Compose's `depends_on: {X: {restart: true}}` in the supervisor, through the fake process host.
#include <doctest/doctest.h>

#include <csignal>

#include "supervisor_harness.hpp"

using namespace tend;
using namespace tend::test;

TEST_CASE("an operator's restart of a dependency restarts its restart: true dependants once it is back") {
    Harness h("services:\n" + service("db") +
              service("web", "    depends_on: {db: {condition: service_started, restart: true}}\n") +
              service("other", "    depends_on: [db]\n"));
    const pid_t db = h.pid("db"), web = h.pid("web"), other = h.pid("other");
    REQUIRE(h.state("web") == ServiceState::running);
    CHECK(h.supervisor->restart(*h.supervisor->find("db")).empty());
    auto got_term = [&](pid_t pid) {
        const auto signals = h.host.signals_to(pid);
        return !signals.empty() && signals.front() == SIGTERM;
    };
    CHECK(got_term(db));
    CHECK(got_term(web));
    CHECK(h.host.signals_to(other).empty());  // no restart: true
    h.turn();  // both exits reaped; db starts again, and web after it
    h.turn();
    CHECK(h.pid("db") != db);
    CHECK(h.pid("web") != web);
    CHECK(h.pid("other") == other);
    CHECK(h.state("web") == ServiceState::running);
    const auto order = h.spawn_order();
    REQUIRE(order.size() == 5);
    CHECK(order[3] == "db");  // the dependant starts after its dependency is back
    CHECK(order[4] == "web");
}

TEST_CASE("a dependant the operator stopped stays stopped when its dependency restarts") {
    Harness h("services:\n" + service("db") +
              service("web", "    depends_on: {db: {condition: started, restart: true}}\n"));
    h.supervisor->stop(*h.supervisor->find("web"));
    h.turn();
    REQUIRE(h.state("web") == ServiceState::stopped);
    h.supervisor->restart(*h.supervisor->find("db"));
    h.turn();
    h.turn();
    CHECK(h.state("web") == ServiceState::stopped);
    CHECK(h.spawn_order().size() == 3);  // db, web, db again
}
