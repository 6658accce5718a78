// A service's Scope through the fake host: what a stop signals and waits
// for, and what is left of it once stopped.
#include <doctest/doctest.h>

#include <algorithm>

#include "supervisor_harness.hpp"

namespace unit_scope_test {

using namespace tend;
using namespace tend::test;

namespace {

bool got(const FakeProcessHost& host, pid_t pid, int sig) {
    auto signals = host.signals_to(pid);
    return std::find(signals.begin(), signals.end(), sig) != signals.end();
}

}  // namespace

TEST_CASE("a scope describes itself for messages; a default one holds nothing") {
    CHECK(Scope::process_group(42).describe() == "process group 42");
    CHECK_FALSE(Scope::process_group(42).empty());
    CHECK(Scope{}.empty());
}

TEST_CASE("a stop signals the service's scope, the scope the spawn made") {
    Harness h("services:\n" + service("web"));
    pid_t web = h.pid("web");
    h.supervisor->stop(*h.supervisor->services().find("web"));
    h.turn();
    CHECK(h.host.sent == std::vector<FakeProcessHost::Sent>{{-web, SIGTERM}, {-web, SIGCONT}});
    CHECK(h.state("web") == ServiceState::stopped);
}

TEST_CASE("a descendant that left the group gets the stop signal, and the stop waits until it is gone") {
    Harness h("services:\n" + service("web", "    stop_timeout: 1h\n"), {"worker"});
    pid_t web = h.pid("web");
    pid_t worker = h.host.escape(web, "worker");
    h.supervisor->stop(*h.supervisor->services().find("web"));
    h.turn();
    CHECK(got(h.host, worker, SIGTERM));
    CHECK_FALSE(h.host.is_alive(web));
    CHECK(h.state("web") == ServiceState::stopping);  // the worker is still there
    h.host.exit(worker, ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("web") == ServiceState::stopped);
}

TEST_CASE("a descendant outside the group that ignores the stop signal gets SIGKILL at stop_timeout") {
    Harness h("services:\n" + service("web", "    stop_timeout: 0\n"), {"worker"});
    pid_t worker = h.host.escape(h.pid("web"), "worker");
    h.supervisor->stop(*h.supervisor->services().find("web"));
    h.turn();  // the stop timer (0) fires: SIGKILL to the whole scope
    h.turn();
    CHECK(got(h.host, worker, SIGKILL));
    CHECK_FALSE(h.host.is_alive(worker));
    CHECK(h.state("web") == ServiceState::stopped);
}

TEST_CASE("a descendant that left the group before the service ran is not signalled outside a stop") {
    Harness h("services:\n" + service("web", "    forward_signals: [SIGUSR1]\n"));
    pid_t web = h.pid("web");
    pid_t worker = h.host.escape(web, "worker");
    CHECK(h.supervisor->signal(*h.supervisor->services().find("web"), SIGUSR1).empty());
    CHECK(got(h.host, web, SIGUSR1));
    CHECK_FALSE(got(h.host, worker, SIGUSR1));  // noted only when a stop begins
}

TEST_CASE("once stopped, its scope is empty: a signal request says it is not running") {
    Harness h("services:\n" + service("web"));
    Service& web = *h.supervisor->services().find("web");
    CHECK(h.supervisor->signal(web, SIGUSR1).empty());
    h.supervisor->stop(web);
    h.turn();
    REQUIRE(h.state("web") == ServiceState::stopped);
    CHECK(web.scope.empty());
    CHECK(h.supervisor->signal(web, SIGUSR1) == "web is not running");
}

}  // namespace unit_scope_test
