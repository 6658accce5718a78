// The ordered shutdown, carried out: services stop in reverse dependency
// order, then whatever is left gets SIGTERM, kill_grace and SIGKILL (the
// sweep), all under the shutdown_timeout deadline; then tend's output is
// flushed and the loop ends with the exit code ShutdownSequence decides.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "tend/config/config.hpp"
#include "tend/config/dependency_graph.hpp"
#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/output/output_router.hpp"
#include "tend/process/process_host.hpp"
#include "tend/supervisor/service_runner.hpp"
#include "tend/supervisor/service_table.hpp"
#include "tend/supervisor/shutdown_sequence.hpp"
#include "tend/supervisor/supervisor_options.hpp"

namespace tend {

// What the shutdown works on: the supervisor's own parts, by reference (a
// reload replaces the settings and the graph in place).
struct ShutdownContext {
    EventLoop& loop;
    ProcessHost& host;
    Clock& clock;
    const Settings& settings;
    const SupervisorOptions& options;
    ServiceTable& services;
    const DependencyGraph& graph;
    ServiceRunner& runner;
    OutputRouter& output;
    const std::size_t& orphans_reaped;
    std::function<void()> reap;  // takes the exits of what the sweep just killed
};

class ShutdownDriver {
public:
    explicit ShutdownDriver(ShutdownContext context);

    // Every goal goes down and nothing restarts from here on. A second call does nothing.
    void begin(const std::string& why);
    bool started() const { return sequence_.started(); }
    // Takes the next steps; from the supervisor's progress step, after any change.
    void advance();
    // After children were reaped: the sweep ends once none is left.
    void children_reaped();
    // A second SIGINT: SIGKILL now instead of waiting out the grace periods.
    void escalate();
    // A service needed SIGKILL after its stop_timeout.
    void note_escalation(const Service& service);
    // The facts that decide the exit code (a critical service's end, SIGINTs counted).
    ShutdownSequence& sequence() { return sequence_; }

private:
    bool every_service_down() const;
    void begin_sweep();
    void on_sweep_timer();
    void on_deadline();
    void finish();
    std::pair<int, std::string> exit_code() const;  // and why, when it is not 0

    ShutdownContext c_;
    ShutdownSequence sequence_;
    std::unique_ptr<Timer> sweep_timer_;
    std::unique_ptr<Timer> deadline_timer_;
};

}  // namespace tend
