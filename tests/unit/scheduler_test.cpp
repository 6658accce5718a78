// Scheduled jobs and run timeouts through the fake host and the fake clock:
// minutes and clock steps in microseconds.
#include <doctest/doctest.h>

#include "supervisor_harness.hpp"
#include "tend/supervisor/scheduler.hpp"

namespace unit_scheduler_test {

using namespace tend;
using namespace tend::test;
using namespace std::chrono_literals;

namespace {

// A job named `name` running the fake program `name`, with `extra` keys.
std::string job(const std::string& name, const std::string& schedule, const std::string& extra = "") {
    return "  " + name + ":\n    command: [" + name + "]\n    output: null\n    schedule: \"" + schedule + "\"\n" + extra;
}

std::size_t runs(Harness& h, const std::string& program) {
    auto order = h.spawn_order();
    return static_cast<std::size_t>(std::count(order.begin(), order.end(), program));
}

JobTimes times(Harness& h, const std::string& name) {
    auto t = h.supervisor->scheduler()->times(*h.supervisor->services().find(name));
    REQUIRE(t);
    return *t;
}

}  // namespace

TEST_CASE("a cron job does not start with tend, runs at each due time and not before, and ends completed") {
    Harness h("services:\n" + job("tick", "*/5 * * * *"));  // the fake wall clock starts at a whole hour
    CHECK(runs(h, "tick") == 0);
    CHECK(h.state("tick") == ServiceState::stopped);
    CHECK(times(h, "tick").next == h.clock.wall_start + 5min);
    h.advance(5min - 1s);
    CHECK(runs(h, "tick") == 0);
    h.advance(1s);
    CHECK(runs(h, "tick") == 1);
    h.host.exit(h.pid("tick"), ExitStatus::exited(0));
    h.advance(3s);
    CHECK(h.state("tick") == ServiceState::completed);
    const JobTimes t = times(h, "tick");
    REQUIRE(t.last);
    CHECK(t.last->started == h.clock.wall_start + 5min);
    CHECK(t.last->result.starts_with("completed"));
    CHECK(t.last->seconds == doctest::Approx(0).epsilon(0.01));
    CHECK(t.next == h.clock.wall_start + 10min);
    h.advance(5min);
    CHECK(runs(h, "tick") == 2);
}

TEST_CASE("1,000 idle jobs arm one timer; the earliest runs first, and none before its time") {
    std::string yaml = "services:\n";
    for (int i = 0; i < 1000; ++i) yaml += job("j" + std::to_string(i), "@every " + std::to_string(60 + i) + "s");
    Harness h(yaml);
    CHECK(h.clock.armed_timers() == 1);
    h.advance(59s);
    CHECK(h.spawn_order().empty());
    h.advance(1s);
    CHECK(h.spawn_order() == std::vector<std::string>{"j0"});
}

TEST_CASE("forbid skips a due run while the last one still goes; replace stops it and starts the next") {
    Harness h("services:\n" + job("slow", "@every 10s") + job("fresh", "@every 10s", "    concurrency: replace\n"));
    h.advance(10s);
    const pid_t slow = h.pid("slow"), fresh = h.pid("fresh");
    h.advance(10s);  // both still run
    CHECK(runs(h, "slow") == 1);
    CHECK(h.host.signals_to(slow).empty());
    CHECK(h.host.first_signal_to(fresh) == SIGTERM);  // the fake process stops on it
    h.turn();
    CHECK(runs(h, "fresh") == 2);
    CHECK(h.pid("fresh") != fresh);
    CHECK(times(h, "fresh").last->result == "");  // the new run is going
}

TEST_CASE("a run past its timeout is stopped and its last run says so; the schedule goes on") {
    Harness h("services:\n" + job("stuck", "@every 1m", "    timeout: 20s\n    stop_timeout: 5s\n"), {"stuck"});
    h.advance(1min);
    const pid_t stuck = h.pid("stuck");
    h.advance(20s - 1ms);
    CHECK(h.host.signals_to(stuck).empty());
    h.advance(1ms);
    CHECK(h.host.first_signal_to(stuck) == SIGTERM);
    h.advance(5s);  // it ignores SIGTERM: SIGKILL after stop_timeout
    CHECK(h.host.signals_to(stuck).back() == SIGKILL);
    h.turn();
    const JobTimes t = times(h, "stuck");
    CHECK(t.last->result == "failed: timed out after 20s");
    CHECK(t.last->seconds == doctest::Approx(25).epsilon(0.01));
    h.advance(35s);
    CHECK(runs(h, "stuck") == 2);
}

TEST_CASE("a one-shot's timeout bounds its run at start, without a schedule") {
    Harness h("services:\n  init:\n    command: [init]\n    type: oneshot\n    output: null\n    timeout: 3s\n");
    CHECK(runs(h, "init") == 1);
    h.advance(3s);
    CHECK(h.host.first_signal_to(h.pid("init")) == SIGTERM);
    h.turn();
    CHECK(times(h, "init").last->result == "failed: timed out after 3s");
    CHECK_FALSE(times(h, "init").next);
}

TEST_CASE("a step of the wall clock re-aims cron jobs at once; @every jobs keep their interval") {
    Harness h("services:\n" + job("hourly", "0 * * * *") + job("every", "@every 30m"));
    h.advance(10min);
    h.clock.step_wall(40min);  // now 00:50 by the wall, 00:10 by the steady clock
    h.advance(10min - 1s);
    CHECK(runs(h, "hourly") == 0);
    h.advance(1s);  // 01:00 by the wall
    CHECK(runs(h, "hourly") == 1);
    CHECK(runs(h, "every") == 0);  // 20 minutes of elapsed time so far
    h.advance(10min);
    CHECK(runs(h, "every") == 1);
}

TEST_CASE("a step back makes a cron job wait for its time again, not run twice at once") {
    Harness h("services:\n" + job("hourly", "0 * * * *"));
    h.advance(1h);
    CHECK(runs(h, "hourly") == 1);
    h.host.exit(h.pid("hourly"), ExitStatus::exited(0));
    h.clock.step_wall(-30min);  // 00:30 by the wall again
    h.advance(30min - 1s);
    CHECK(runs(h, "hourly") == 1);
    h.advance(1s);
    CHECK(runs(h, "hourly") == 2);
}

TEST_CASE("a failed run is reported with its exit, and a start by hand runs the job now") {
    Harness h("services:\n" + job("report", "@daily", "    restart: never\n"));
    h.supervisor->start(*h.supervisor->services().find("report"));
    h.turn();
    CHECK(runs(h, "report") == 1);
    h.host.exit(h.pid("report"), ExitStatus::exited(3));
    h.turn();
    CHECK(h.state("report") == ServiceState::failed);
    CHECK(times(h, "report").last->result.starts_with("failed"));
    CHECK(times(h, "report").last->result.find("3") != std::string::npos);
}

TEST_CASE("no run starts once tend is shutting down") {
    Harness h("services:\n" + job("tick", "@every 10s") + service("web"));
    h.supervisor->request_shutdown("test");
    h.advance(30s);
    CHECK(runs(h, "tick") == 0);
}

TEST_CASE("a reload that changes a schedule re-aims the job from the reload; one that keeps it keeps its time") {
    Harness h("services:\n" + job("a", "@every 10s") + job("b", "@every 10s"));
    h.advance(5s);
    const std::string changed = "services:\n" + job("a", "@every 1m") + job("b", "@every 10s");
    REQUIRE(h.supervisor->apply_config(parse_config(changed, "t.yaml"), false).ok());
    h.advance(5s);
    CHECK(runs(h, "a") == 0);
    CHECK(runs(h, "b") == 1);  // its 10 s were not restarted by the reload
    h.advance(55s - 1ms);
    CHECK(runs(h, "a") == 0);
    h.advance(1ms);
    CHECK(runs(h, "a") == 1);
}

TEST_CASE("a job a reload removes is forgotten; one it adds is aimed from the reload") {
    Harness h("services:\n" + job("a", "@every 10s"));
    const std::string changed = "services:\n" + job("b", "@every 10s");
    h.advance(5s);
    REQUIRE(h.supervisor->apply_config(parse_config(changed, "t.yaml"), false).ok());
    h.advance(10s);
    CHECK(runs(h, "a") == 0);
    CHECK(runs(h, "b") == 1);
    CHECK(times(h, "b").last->started == h.clock.wall_start + 15s);
}

TEST_CASE("the wall clock is watched only while a cron job is defined: a reload adds and removes the watch") {
    Harness h("services:\n" + job("every", "@every 30m") + service("web"));
    CHECK(h.clock.wall_watches() == 0);  // @every keeps elapsed time: a set of the clock means nothing to it
    REQUIRE(h.supervisor->apply_config(parse_config("services:\n" + job("every", "@every 30m") + job("hourly", "0 * * * *") +
                                                        service("web"), "t.yaml"), false).ok());
    h.turn();
    CHECK(h.clock.wall_watches() == 1);
    REQUIRE(h.supervisor->apply_config(parse_config("services:\n" + service("web"), "t.yaml"), false).ok());
    h.turn();
    CHECK(h.clock.wall_watches() == 0);
}

TEST_CASE("a set of the clock is said with how far it moved; one under a second only at debug level") {
    Harness h("services:\n" + job("hourly", "0 * * * *"));
    LogCapture log;
    h.advance(10min);
    h.clock.step_wall(0s);  // a set to what it read: a time sync's step
    h.clock.step_wall(300ms);
    CHECK(log.lines_with("The wall clock was set").empty());
    h.clock.step_wall(40min);
    h.clock.step_wall(-90s);
    CHECK(log.lines_with("The wall clock was set") ==
          std::vector<std::string>{"The wall clock was set forward 40m: scheduled jobs re-aimed",
                                   "The wall clock was set back 90s: scheduled jobs re-aimed"});
    h.advance(10min + 90s - 300ms - 1s);  // to a second before the hour by the wall, after all four sets
    CHECK(runs(h, "hourly") == 0);
    h.advance(1s);
    CHECK(runs(h, "hourly") == 1);
}

}  // namespace unit_scheduler_test
