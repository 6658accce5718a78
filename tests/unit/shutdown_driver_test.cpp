// The ordered shutdown through the supervisor and a fake process host: the
// order of stops, the sweep of leftovers, the deadline and the exit code.
#include <doctest/doctest.h>

#include <signal.h>

#include "supervisor_harness.hpp"

namespace unit_shutdown_driver_test {

using namespace tend;
using namespace tend::test;
using namespace std::chrono_literals;

TEST_CASE("shutdown stops dependants first, unrelated ones in parallel, and exits 0") {
    Harness h("services:\n" + service("db") + service("web", "    depends_on: [db]\n") +
              service("worker", "    depends_on: [db]\n"));
    pid_t db = h.pid("db"), web = h.pid("web"), worker = h.pid("worker");
    h.host.ignore_stop_signals = {"web"};  // web takes its time
    h.supervisor->request_shutdown("test");
    CHECK(h.host.first_signal_to(web) == SIGTERM);
    CHECK(h.host.first_signal_to(worker) == SIGTERM);
    h.turn();
    CHECK(h.host.signals_to(db).empty());  // web is still up
    h.host.exit(web, ExitStatus::exited(0));
    h.turn();
    CHECK(h.host.first_signal_to(db) == SIGTERM);
    h.turn();  // db's exit
    CHECK(h.loop.finished_with() == 0);
}

TEST_CASE("a service that ignores its stop signal gets SIGKILL after stop_timeout, and tend exits 1") {
    Harness h("services:\n" + service("stubborn", "    stop_timeout: 0\n"), {"stubborn"});
    pid_t stubborn = h.pid("stubborn");
    h.supervisor->request_shutdown("test");
    h.turn();  // the stop timer (0) fires: SIGKILL
    h.turn();  // its exit is reaped
    auto signals = h.host.signals_to(stubborn);
    CHECK(std::find(signals.begin(), signals.end(), SIGKILL) != signals.end());
    CHECK_FALSE(h.host.is_alive(stubborn));
    CHECK(h.loop.finished_with() == 1);
}

TEST_CASE("the shutdown deadline ends everything and exits 1") {
    Harness h("settings:\n  shutdown_timeout: 0\nservices:\n" + service("stubborn", "    stop_timeout: 1h\n"),
              {"stubborn"});
    h.supervisor->request_shutdown("test");
    h.turn();
    CHECK(h.loop.finished_with() == 1);
}

TEST_CASE("the shutdown deadline fires at shutdown_timeout, not before, kills everything and exits 1") {
    Harness h("settings:\n  shutdown_timeout: 5s\nservices:\n" + service("stubborn", "    stop_timeout: 1h\n"),
              {"stubborn"});
    pid_t pid = h.pid("stubborn");
    h.supervisor->request_shutdown("test");
    h.advance(4999ms);
    CHECK_FALSE(h.loop.finished_with().has_value());
    CHECK_FALSE(got(h, pid, SIGKILL));
    h.advance(1ms);
    CHECK(got(h, pid, SIGKILL));
    CHECK(h.loop.finished_with() == 1);
}

TEST_CASE("at shutdown, leftover processes get SIGTERM, then SIGKILL after kill_grace, then tend exits 0") {
    Harness h("settings:\n  kill_grace: 3s\nservices:\n" + service("web"), {"orphan"});
    pid_t orphan = h.host.adopt("orphan");
    h.supervisor->request_shutdown("test");
    h.turn();
    CHECK(h.state("web") == ServiceState::stopped);
    CHECK(h.host.signals_to(orphan) == std::vector<int>{SIGTERM});
    h.advance(2999ms);
    CHECK_FALSE(h.loop.finished_with().has_value());
    h.advance(1ms);
    CHECK(h.host.signals_to(orphan) == std::vector<int>{SIGTERM, SIGKILL});
    CHECK(h.loop.finished_with() == 0);
    CHECK(h.supervisor->orphans_reaped() == 1);
}

TEST_CASE("shutdown during a reload's stop: the removed service is stopped with the rest and tend exits") {
    Harness h("services:\n" + service("keep") + service("old", "    stop_timeout: 4s\n"), {"old"});
    REQUIRE(h.supervisor->apply_config(parse_config("services:\n" + service("keep"), "t.yaml"), false).ok());
    h.turn();
    REQUIRE(h.supervisor->reloading());
    h.supervisor->request_shutdown("test");
    h.turn();
    CHECK_FALSE(h.loop.finished_with().has_value());  // old still stopping
    CHECK(h.supervisor->apply_config(parse_config("services:\n" + service("keep"), "t.yaml"), false).refused ==
          "tend is shutting down");
    h.advance(4s);
    CHECK(h.loop.finished_with() == 1);  // old needed SIGKILL in this shutdown
}

TEST_CASE("a critical service's exit ends tend with its exit code") {
    Harness h("services:\n" + service("main", "    critical: true\n    restart: never\n") + service("side"));
    h.host.exit(h.pid("main"), ExitStatus::exited(3));
    h.turn();
    CHECK(h.supervisor->shutting_down());
    CHECK_FALSE(h.host.is_alive(h.pid("side")));
    CHECK(h.loop.finished_with() == 3);
}

TEST_CASE("a second SIGINT kills what is still stopping at once and skips kill_grace") {
    Harness h("settings:\n  kill_grace: 1h\nservices:\n" + service("stubborn", "    stop_timeout: 1h\n"),
              {"stubborn", "orphan"});
    pid_t stubborn = h.pid("stubborn");
    pid_t orphan = h.host.adopt("orphan");
    REQUIRE(raise(SIGINT) == 0);  // blocked: it waits for the loop's signalfd
    h.turn();
    CHECK(h.supervisor->shutting_down());
    CHECK(h.host.first_signal_to(stubborn) == SIGTERM);
    CHECK_FALSE(got(h, stubborn, SIGKILL));
    REQUIRE(raise(SIGINT) == 0);
    h.turn();
    CHECK(got(h, stubborn, SIGKILL));
    CHECK(got(h, orphan, SIGKILL));  // no SIGTERM-then-kill_grace for the leftovers
    CHECK(h.loop.finished_with().has_value());
}

TEST_CASE("a SIGTERM while shutting down changes nothing: the stop keeps its grace") {
    Harness h("services:\n" + service("slow", "    stop_timeout: 10s\n"), {"slow"});
    pid_t slow = h.pid("slow");
    REQUIRE(raise(SIGTERM) == 0);
    h.turn();
    REQUIRE(raise(SIGTERM) == 0);
    h.advance(9s);
    CHECK(h.host.first_signal_to(slow) == SIGTERM);
    std::vector<int> sent = h.host.signals_to(slow);
    CHECK(std::count(sent.begin(), sent.end(), SIGTERM) == 1);  // the second SIGTERM is not passed on
    CHECK_FALSE(got(h, slow, SIGKILL));
    h.advance(1s);
    CHECK(got(h, slow, SIGKILL));
    CHECK(h.loop.finished_with() == 1);
}

}  // namespace unit_shutdown_driver_test
