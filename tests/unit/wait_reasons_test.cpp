// Why a service does not start yet, read from a supervisor over the fake host.
#include <doctest/doctest.h>

#include "supervisor_harness.hpp"
#include "tend/supervisor/wait_reasons.hpp"

namespace unit_wait_reasons_test {

using namespace tend;
using namespace tend::test;
using namespace std::chrono_literals;

namespace {

std::vector<ServiceView> views_of(const ServiceTable& services) {
    std::vector<ServiceView> views;
    for (const auto& s : services) views.push_back(s->view());
    return views;
}

std::string blocked(Harness& h, const std::string& name) {
    const ServiceTable& services = h.supervisor->services();
    return why_blocked(h.supervisor->graph(), services, services.find(name)->index(), views_of(services));
}

std::string waiting(Harness& h, const std::string& name) {
    const ServiceTable& services = h.supervisor->services();
    return why_waiting(h.supervisor->graph(), services, services.find(name)->index(), views_of(services));
}

}  // namespace

TEST_CASE("a required dependency that exited unsuccessfully for good blocks, with its exit status") {
    Harness h(std::string("services:\n") + "  db:\n    command: [db]\n    output: null\n    restart: never\n" +
              service("web", "    depends_on: {db: healthy}\n") +
              service("report", "    depends_on: {db: {condition: healthy, required: false}}\n"));
    h.host.exit(h.pid("db"), ExitStatus::exited(3));
    h.turn();
    REQUIRE(h.state("db") == ServiceState::exited);
    CHECK(blocked(h, "web").rfind("waiting for db: exited (", 0) == 0);
    CHECK(blocked(h, "web").find("3") != std::string::npos);
    CHECK(blocked(h, "report") == "");
    CHECK(waiting(h, "report") == "");  // an optional dependency that gave up is not waited for
}

TEST_CASE("a dependant of a blocked service is blocked by it in turn") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 1h\n    max_restarts: 0\n" +
              service("api", "    depends_on: [db]\n") + service("web", "    depends_on: [api]\n"));
    h.host.exit(h.pid("db"), ExitStatus::exited(1));
    h.turn();
    CHECK(blocked(h, "api") == "waiting for db: fatal");
    CHECK(blocked(h, "web") == "waiting for api: blocked");
}

TEST_CASE("a dependency not yet up is waited for with what it lacks") {
    Harness h("services:\n  db:\n    command: [db]\n    output: null\n    min_uptime: 5s\n" +
              service("web", "    depends_on: [db]\n") + service("cache", "    autostart: false\n") +
              service("app", "    depends_on: [cache]\n"));
    CHECK(blocked(h, "web") == "");
    CHECK(waiting(h, "web") == "db: not started yet");
    CHECK(waiting(h, "app") == "cache: stopped");  // nothing will start it
    h.advance(5s);
    CHECK(waiting(h, "web") == "");
    h.host.exit(h.pid("db"), ExitStatus::exited(1));
    h.turn();
    CHECK(waiting(h, "web") == "db: restarting after a failure");
}

}  // namespace unit_wait_reasons_test
