// What each signal tend receives does, through the supervisor over the fake
// host. The harness blocks every signal, so one raised in this thread waits
// for the loop's signalfd and is read on the next turn (raise, not kill: a
// signal to the process could reach another thread that does not block it).
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include "supervisor_harness.hpp"

namespace unit_signal_router_test {

using namespace tend;
using namespace tend::test;
using namespace std::chrono_literals;

namespace {

void receive(Harness& h, int sig) {
    REQUIRE(raise(sig) == 0);
    h.turn();
}

}  // namespace

TEST_CASE("SIGUSR1, SIGUSR2 and SIGWINCH go to the running services that list them, and only those") {
    Harness h("services:\n" + service("app", "    forward_signals: [USR1, WINCH]\n") + service("other") +
              service("idle", "    forward_signals: [USR1]\n    autostart: false\n"));
    pid_t app = h.pid("app"), other = h.pid("other");
    receive(h, SIGUSR1);
    receive(h, SIGWINCH);
    receive(h, SIGUSR2);  // nobody asks for it: dropped, with a log line
    CHECK(h.host.signals_to(app) == std::vector<int>{SIGUSR1, SIGWINCH});
    CHECK(h.host.signals_to(other).empty());
    CHECK_FALSE(h.supervisor->shutting_down());
}

TEST_CASE("a signal with no meaning for tend is read and ignored: nothing stops, nothing is sent") {
    Harness h("services:\n" + service("app"));
    pid_t app = h.pid("app");
    LogCapture log;
    for (int sig : {SIGQUIT, SIGPIPE, SIGALRM, SIGRTMIN + 3}) receive(h, sig);
    CHECK(h.host.signals_to(app).empty());
    CHECK(log.lines_with("Reload").empty());
    CHECK_FALSE(h.supervisor->shutting_down());
    CHECK(h.state("app") == ServiceState::running);
}

TEST_CASE("SIGHUP asks for a reload; without a config file the reload is refused and nothing moves") {
    Harness h("services:\n" + service("app"));
    pid_t app = h.pid("app");
    LogCapture log;
    receive(h, SIGHUP);
    CHECK(log.lines_with("SIGHUP received: reloading").size() == 1);
    CHECK(log.lines_with("Reload refused: tend runs a command, not a config file").size() == 1);
    CHECK_FALSE(h.supervisor->reloading());
    CHECK(h.pid("app") == app);
    CHECK(h.host.signals_to(app).empty());
}

TEST_CASE("in tend -- CMD mode every signal goes to CMD's group, rewritten or dropped as --rewrite says") {
    SupervisorOptions options;
    options.exec_mode = true;
    options.signal_rewrites = {{SIGUSR2, 0}, {SIGTERM, SIGQUIT}};
    Harness h("services:\n" + service("cmd", "    critical: true\n    restart: never\n"), {}, options);
    pid_t cmd = h.pid("cmd");
    receive(h, SIGUSR1);
    receive(h, SIGHUP);  // not a reload here: CMD's
    receive(h, SIGUSR2);  // dropped
    CHECK(h.host.signals_to(cmd) == std::vector<int>{SIGUSR1, SIGHUP});
    CHECK_FALSE(h.supervisor->shutting_down());
    receive(h, SIGTERM);  // begins the stop, with the rewritten signal as CMD's stop signal
    CHECK(h.supervisor->shutting_down());
    std::vector<int> sent = h.host.signals_to(cmd);
    CHECK(std::find(sent.begin(), sent.end(), SIGQUIT) != sent.end());
    CHECK(std::find(sent.begin(), sent.end(), SIGTERM) == sent.end());
}

}  // namespace unit_signal_router_test
