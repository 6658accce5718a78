// Compose's `depends_on: {X: {restart: true}}` in the supervisor, through the fake process host.
#include <doctest/doctest.h>

#include <csignal>

#include "supervisor_harness.hpp"

namespace unit_depends_on_restart_test {

using namespace tend;
using namespace tend::test;

TEST_CASE("an operator's restart of a dependency restarts its restart: true dependants once it is back") {
    Harness h("services:\n" + service("db") +
              service("web", "    depends_on: {db: {condition: service_started, restart: true}}\n") +
              service("other", "    depends_on: [db]\n"));
    const pid_t db = h.pid("db"), web = h.pid("web"), other = h.pid("other");
    REQUIRE(h.state("web") == ServiceState::running);
    CHECK(h.supervisor->restart(*h.supervisor->services().find("db")).empty());
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
    h.supervisor->stop(*h.supervisor->services().find("web"));
    h.turn();
    REQUIRE(h.state("web") == ServiceState::stopped);
    h.supervisor->restart(*h.supervisor->services().find("db"));
    h.turn();
    h.turn();
    CHECK(h.state("web") == ServiceState::stopped);
    CHECK(h.spawn_order().size() == 3);  // db, web, db again
}

TEST_CASE("a reload that replaces a dependency restarts its restart: true dependants once it is back") {
    const std::string web = service("web", "    depends_on: {db: {condition: service_started, restart: true}}\n");
    const std::string other = service("other", "    depends_on: [db]\n");
    Harness h("services:\n" + service("db") + web + other);
    const pid_t db = h.pid("db"), web_pid = h.pid("web"), other_pid = h.pid("other");
    REQUIRE(h.state("web") == ServiceState::running);
    const std::string changed = std::string("services:\n") + "  db:\n    command: [db, --v2]\n    min_uptime: 0\n    output: null\n" + web + other;
    REQUIRE(h.supervisor->apply_config(parse_config(changed, "t.yaml"), false).ok());
    h.turn();
    auto got_term = [&](pid_t pid) {
        const auto signals = h.host.signals_to(pid);
        return !signals.empty() && signals.front() == SIGTERM;
    };
    CHECK(got_term(db));
    CHECK(got_term(web_pid));
    CHECK(h.host.signals_to(other_pid).empty());  // no restart: true
    for (int i = 0; i < 4; ++i) h.turn();
    CHECK(h.pid("db") != db);
    CHECK(h.pid("web") != web_pid);
    CHECK(h.pid("other") == other_pid);
    CHECK(h.state("db") == ServiceState::running);
    CHECK(h.state("web") == ServiceState::running);
    const auto order = h.spawn_order();
    REQUIRE(order.size() == 5);
    CHECK(order[3] == "db");  // the dependant starts after its new dependency
    CHECK(order[4] == "web");
}

TEST_CASE("a reload that changes only the dependant, or leaves a dependency stopped, restarts nothing else") {
    const std::string web = service("web", "    depends_on: {db: {condition: started, restart: true}}\n");
    Harness h("services:\n" + service("db") + web);
    const pid_t db = h.pid("db");
    h.supervisor->stop(*h.supervisor->services().find("db"));
    h.turn();
    REQUIRE(h.state("db") == ServiceState::stopped);
    const pid_t web_pid = h.pid("web");
    const std::string changed =
        "services:\n" + service("db", "    stop_timeout: 7s\n    autostart: false\n") + web;
    REQUIRE(h.supervisor->apply_config(parse_config(changed, "t.yaml"), false).ok());
    h.turn();
    h.turn();
    CHECK_FALSE(h.host.is_alive(db));
    CHECK(h.pid("web") == web_pid);
    CHECK(h.spawn_order().size() == 2);
}

}  // namespace unit_depends_on_restart_test
