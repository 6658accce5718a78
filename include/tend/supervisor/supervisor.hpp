// The orchestrator: owns the services, wires every event source (signals,
// child exits through the host, timers on the clock) in its constructor, turns events into state-machine steps,
// performs their actions, and runs the ordered shutdown to an exit code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/config_diff.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/dependency_graph.hpp"
#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/output/output_router.hpp"
#include "tend/process/pid_table.hpp"
#include "tend/process/process_host.hpp"
#include "tend/supervisor/config_reader.hpp"
#include "tend/supervisor/reload_plan.hpp"
#include "tend/supervisor/scheduler.hpp"
#include "tend/supervisor/service.hpp"
#include "tend/supervisor/service_runner.hpp"
#include "tend/supervisor/service_table.hpp"
#include "tend/supervisor/shutdown_driver.hpp"
#include "tend/supervisor/signal_router.hpp"
#include "tend/supervisor/supervisor_options.hpp"
#include "tend/util/listener_list.hpp"

namespace tend {

// What a reload did, or why it did nothing.
struct ReloadOutcome {
    std::vector<Diagnostic> errors;  // the new config is invalid: nothing changed
    std::string refused;             // shutting down, or another reload is still stopping services
    ConfigDiff diff;
    std::vector<std::string> warnings;  // settings that could not be applied, e.g. a socket that would not bind

    bool ok() const { return errors.empty() && refused.empty(); }
};

struct SupervisorNews {
    using Listener = std::function<void(const Service&, const Transition&)>;
    // Called with the old and the new settings when a reload changed them;
    // returns a warning, or "" when the change took.
    using SettingsListener = std::function<std::string(const Settings& before, const Settings& after)>;

    // Every change of state, and changes listeners show without one (blocked, health, status text).
    ListenerList<Listener> transitions;
    ListenerList<SettingsListener> settings;
    ListenerList<std::function<void()>> reload_done;
    // A reload has replaced the set of services (some may be gone).
    ListenerList<std::function<void()>> services_replaced;
};

class Supervisor {
public:
    using Listener = SupervisorNews::Listener;
    using SettingsListener = SupervisorNews::SettingsListener;

    // Every timer of the supervisor layer is made on `clock`; child exits come from `host`.
    Supervisor(Config config, EventLoop& loop, ProcessHost& host, Clock& clock, SupervisorOptions options);
    ~Supervisor();

    // Reaps what is already there and starts the autostart services.
    void start();

    // Operator requests. Return "" on success, else a one-line reason.
    std::string start(Service& service);
    std::string stop(Service& service);
    std::string restart(Service& service);
    std::string signal(Service& service, int sig);

    // Re-reads the config file (off the loop: see ConfigReader), diffs it
    // against what runs and applies the difference (nothing of it when
    // dry_run); `done` gets the outcome on the loop. Stops of removed and
    // changed services finish later; reloading() is true until then.
    void reload(bool dry_run, std::function<void(ReloadOutcome)> done);
    ReloadOutcome apply_config(Config next, bool dry_run);
    bool reloading() const { return !reload_.empty(); }
    // What those who follow the supervisor (front ends, waits, the scheduler) subscribe to.
    SupervisorNews& news() { return news_; }

    // `tendctl scale`: the `replicas:` set `name` at `count` instances,
    // applied as a reload applies a config (the others untouched). The count
    // lasts until the next reload, which takes the config's again.
    ReloadOutcome scale(const std::string& name, int count);
    const std::map<std::string, ReplicaSet>& replica_sets() const { return replica_sets_; }

    void request_shutdown(const std::string& why) { shutdown_.begin(why); }
    bool shutting_down() const { return shutdown_.started(); }

    // The services, by name or id (ServiceTable).
    const ServiceTable& services() const { return services_; }
    const Settings& settings() const { return settings_; }
    const DependencyGraph& graph() const { return graph_; }
    OutputRouter& output() { return output_; }
    std::size_t orphans_reaped() const { return orphans_reaped_; }
    Clock& clock() const { return clock_; }
    // Scheduled jobs and run timeouts; made by start().
    const Scheduler* scheduler() const { return scheduler_.get(); }

private:
    void on_sigchld();
    RunnerHooks runner_hooks();
    void end_if_decisive(const Service& service, ServiceState to);
    void schedule_progress();
    void progress();
    void schedule_starts();
    // Something listeners show changed (blocked, health, status text) with no change of state.
    void tell_listeners(const Service& service);
    void schedule_stops();
    void restart_dependants(const Service& service);

    // Reload, in supervisor_reload.cpp.
    void advance_reload();
    void apply_settings(Settings next, std::vector<std::string>& warnings);
    std::vector<Service*> replace_services(std::vector<ServiceSpec> specs, const ConfigDiff& diff);
    void reload_finished();
    void reload_from_signal();


    Settings settings_;
    EventLoop& loop_;
    ProcessHost& host_;
    Clock& clock_;
    SupervisorOptions options_;
    DependencyGraph graph_;
    OutputRouter output_;  // before the services: their captured output drains into it as they go
    ServiceTable services_;
    std::map<std::string, ReplicaSet> replica_sets_;  // of the config applied last
    std::vector<std::size_t> start_order_;
    PidTable pids_;  // every child pid tend waits for, by owner; the rest are orphans
    ServiceRunner runner_;  // after what it uses; the services' timers call it
    EventSource exits_source_;  // the host's news of exited children
    EventSource progress_source_;
    SupervisorNews news_;
    ReloadPlan reload_;
    std::optional<ConfigReader> config_reader_;  // none in exec mode
    bool reload_queued_ = false;

    std::size_t orphans_reaped_ = 0;
    ShutdownDriver shutdown_;  // after what it works on
    SignalRouter signals_;
    std::unique_ptr<Scheduler> scheduler_;  // last: gone before what it listens to
};

}  // namespace tend
