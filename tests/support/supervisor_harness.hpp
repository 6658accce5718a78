// A supervisor over a fake process host and a fake clock, for unit tests: no
// processes, no sleeps. Time moves only when the test says (advance), and a
// fake process's exit reaches the supervisor on the next loop turn, as a
// real one's SIGCHLD does.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include "fake_clock.hpp"
#include "fake_process_host.hpp"

#include "tend/config/config_loader.hpp"
#include "tend/supervisor/supervisor.hpp"

namespace tend::test {

using namespace std::chrono_literals;


// The supervisor reads its signals through signalfd, which needs them blocked.
struct SignalsBlocked {
    sigset_t old{};
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        spdlog::set_level(spdlog::level::off);
    }
    ~SignalsBlocked() {
        sigprocmask(SIG_SETMASK, &old, nullptr);
        spdlog::set_level(spdlog::level::info);
    }
};

struct Harness : SignalsBlocked {
    EventLoop loop;
    FakeClock clock;
    FakeProcessHost host;
    std::unique_ptr<Supervisor> supervisor;

    explicit Harness(const std::string& yaml, std::set<std::string> ignoring = {}, SupervisorOptions options = {}) {
        host.ignore_stop_signals = std::move(ignoring);
        supervisor = std::make_unique<Supervisor>(parse_config(yaml, "t.yaml"), loop, host, clock, std::move(options));
        supervisor->start();
        turn();
    }
    // What is due now happens: exits are reaped, deferred work runs, timers
    // armed with no delay fire. The clock does not move.
    void turn() { advance(0ms); }
    // Time passes: each timer that falls due fires at its deadline, in order,
    // and the loop's work after it runs before the next one fires.
    void advance(Duration by) {
        clock.advance(by, [this] {
            for (int i = 0; i < 8 && !loop.finished_with(); ++i) loop.run_once(0ms);
        });
    }
    ServiceState state(const std::string& name) { return supervisor->services().find(name)->state(); }
    pid_t pid(const std::string& program) { return host.pid_of(program); }
    std::vector<std::string> spawn_order() {
        std::vector<std::string> out;
        for (const auto& [pid, program] : host.spawned) out.push_back(program);
        return out;
    }
};

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

inline bool got(const Harness& h, pid_t pid, int sig) {
    auto signals = h.host.signals_to(pid);
    return std::find(signals.begin(), signals.end(), sig) != signals.end();
}

// A service is one fake process named after it; min_uptime 0 makes it running once spawned.
inline std::string service(const std::string& name, const std::string& extra = "") {
    return "  " + name + ":\n    command: [" + name + "]\n    min_uptime: 0\n    output: null\n" + extra;
}


}  // namespace tend::test
