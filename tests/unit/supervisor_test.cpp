// The supervisor through a fake process host: no processes, no sleeps.
#include <doctest/doctest.h>

#include <algorithm>

#include <spdlog/sinks/sink.h>

#include "supervisor_harness.hpp"

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

TEST_CASE("shutdown stops dependants first, unrelated ones in parallel, and exits 0") {
    Harness h("services:\n" + service("db") + service("web", "    depends_on: [db]\n") +
              service("worker", "    depends_on: [db]\n"));
    pid_t db = h.pid("db"), web = h.pid("web"), worker = h.pid("worker");
    h.host.ignore_stop_signals = {"web"};  // web takes its time
    h.supervisor->request_shutdown("test");
    CHECK(h.host.signals_to(web).front() == SIGTERM);
    CHECK(h.host.signals_to(worker).front() == SIGTERM);
    h.turn();
    CHECK(h.host.signals_to(db).empty());  // web is still up
    h.host.exit(web, ExitStatus::exited(0));
    h.turn();
    CHECK(h.host.signals_to(db).front() == SIGTERM);
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
    REQUIRE(h.supervisor->stop(*h.supervisor->find("web")).empty());
    h.turn();
    REQUIRE(h.state("web") == ServiceState::stopped);
    REQUIRE(h.supervisor->apply_config(parse_config("services:\n" + service("web"), "t.yaml"), false).ok());
    h.turn();
    CHECK(h.state("web") == ServiceState::stopped);
    CHECK(h.spawn_order().size() == 1);
    CHECK(h.supervisor->find("web")->goal.stopped_by_operator());
}

TEST_CASE("a one-shot's dependants start once it completed; a running one-shot is not started enough") {
    Harness h("services:\n  init:\n    command: [init]\n    output: null\n    type: oneshot\n" +
              service("app", "    depends_on: [init]\n"));
    CHECK(h.state("init") == ServiceState::starting);
    CHECK(h.spawn_order() == std::vector<std::string>{"init"});
    CHECK(h.supervisor->find("init")->goal.want == Want::once);
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
    CHECK(h.supervisor->find("strict")->blocked_reason == "waiting for init: failed");
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

namespace {

// tend's log lines (their text alone) while it lives, at info and above.
struct LogCapture {
    struct Sink : spdlog::sinks::sink {
        std::vector<std::string> lines;
        void log(const spdlog::details::log_msg& msg) override { lines.emplace_back(msg.payload.data(), msg.payload.size()); }
        void flush() override {}
        void set_pattern(const std::string&) override {}
        void set_formatter(std::unique_ptr<spdlog::formatter>) override {}
    };
    std::shared_ptr<Sink> sink = std::make_shared<Sink>();
    std::shared_ptr<spdlog::logger> before = spdlog::default_logger();
    LogCapture() {
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
        spdlog::set_level(spdlog::level::info);
    }
    ~LogCapture() {
        spdlog::set_default_logger(before);
        spdlog::set_level(spdlog::level::off);
    }
    std::vector<std::string> lines_with(const std::string& text) const {
        std::vector<std::string> out;
        for (const auto& line : sink->lines)
            if (line.find(text) != std::string::npos) out.push_back(line);
        return out;
    }
};

}  // namespace

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
    REQUIRE(h.supervisor->start(*h.supervisor->find("web")).empty());
    for (int i = 0; i < 3; ++i) {
        h.advance(std::chrono::seconds(5));
        h.turn();
    }
    CHECK(log.lines_with("waiting") == std::vector<std::string>{"web: waiting for redis: not ready yet"});
    CHECK(h.supervisor->find("web")->waiting_for == "redis: not ready yet");
    h.host.exit(h.pid("isready"), ExitStatus::exited(0));
    h.turn();
    CHECK(h.state("web") == ServiceState::running);
    CHECK(h.supervisor->find("web")->waiting_for.empty());
}
