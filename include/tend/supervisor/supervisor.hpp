// The orchestrator: owns the services, wires every event source (signals,
// child exits through the host, timers on the clock) in its constructor, turns events into state-machine steps,
// performs their actions, and runs the ordered shutdown to an exit code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
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
#include "tend/supervisor/shutdown_sequence.hpp"
#include "tend/util/listener_list.hpp"

namespace tend {

struct SupervisorOptions {
    bool exec_mode = false;  // tend -- CMD: one critical service, signals forwarded, its status is ours
    bool is_pid1 = false;
    std::string config_path;  // re-read on reload; empty in exec mode
    std::map<int, int> exit_remaps;      // exec mode: CMD's status -> tend's exit code
    std::map<int, int> signal_rewrites;  // exec mode: received -> forwarded (0: dropped)
};

// What a reload did, or why it did nothing.
struct ReloadOutcome {
    std::vector<Diagnostic> errors;  // the new config is invalid: nothing changed
    std::string refused;             // shutting down, or another reload is still stopping services
    ConfigDiff diff;
    std::vector<std::string> warnings;  // settings that could not be applied, e.g. a socket that would not bind

    bool ok() const { return errors.empty() && refused.empty(); }
};

class Supervisor {
public:
    using Listener = std::function<void(const Service&, const Transition&)>;

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
    // Called with the old and the new settings when a reload changed them;
    // returns a warning, or "" when the change took.
    using SettingsListener = std::function<std::string(const Settings& before, const Settings& after)>;
    [[nodiscard]] Subscription add_settings_listener(SettingsListener listener) {
        return settings_listeners_.add(std::move(listener));
    }
    [[nodiscard]] Subscription add_reload_done_listener(std::function<void()> listener) {
        return reload_done_listeners_.add(std::move(listener));
    }
    // Called when a reload has replaced the set of services (some may be gone).
    [[nodiscard]] Subscription add_services_replaced_listener(std::function<void()> listener) {
        return services_replaced_listeners_.add(std::move(listener));
    }

    // `tendctl scale`: the `replicas:` set `name` at `count` instances,
    // applied as a reload applies a config (the others untouched). The count
    // lasts until the next reload, which takes the config's again.
    ReloadOutcome scale(const std::string& name, int count);
    const std::map<std::string, ReplicaSet>& replica_sets() const { return replica_sets_; }

    void request_shutdown(const std::string& why);
    bool shutting_down() const { return shutdown_.started(); }

    Service* find(const std::string& name);
    // The configured service with this id(), or null once a reload removed it.
    Service* find(std::uint64_t id);
    // "no such service: webb (did you mean web?)"
    std::string no_such_service(const std::string& name) const;
    const std::vector<std::unique_ptr<Service>>& services() const { return services_; }
    const Settings& settings() const { return settings_; }
    const DependencyGraph& graph() const { return graph_; }
    OutputRouter& output() { return output_; }
    std::size_t orphans_reaped() const { return orphans_reaped_; }
    TimePoint now() const { return clock_.now(); }
    Clock& clock() const { return clock_; }
    // Scheduled jobs and run timeouts; made by start().
    const Scheduler* scheduler() const { return scheduler_.get(); }
    [[nodiscard]] Subscription add_listener(Listener listener) { return listeners_.add(std::move(listener)); }

private:
    void on_signal(int sig);
    void on_exec_signal(int sig);  // tend -- CMD: everything goes to CMD's group
    void on_sigchld();
    RunnerHooks runner_hooks();
    void forward(int sig);  // SIGUSR1/2, SIGWINCH: to the services whose forward_signals list it
    void end_if_decisive(const Service& service, ServiceState to);
    void schedule_progress();
    void progress();
    void schedule_starts();
    std::string why_blocked(std::size_t index) const;
    void set_blocked(Service& service, std::string reason);
    std::string why_waiting(std::size_t index, const std::vector<ServiceView>& views) const;
    void set_waiting(Service& service, std::string reason);
    // Something listeners show changed (blocked, health, status text) with no change of state.
    void tell_listeners(const Service& service);
    void schedule_stops();
    void restart_dependants(const Service& service);
    // Every service that may still have processes: the configured ones and
    // those a reload removed that are still stopping.
    template <class Visit>
    void for_every_service(Visit&& visit) {
        for (auto* list : {&services_, &retiring_})
            for (auto& s : *list) visit(*s);
    }
    bool every_service_down();
    void check_stopping_groups();

    // Reload, in supervisor_reload.cpp.
    void advance_reload();
    void apply_settings(Settings next, std::vector<std::string>& warnings);
    std::vector<Service*> replace_services(std::vector<ServiceSpec> specs, const ConfigDiff& diff);
    void reload_finished();
    void reload_from_signal();
    std::unique_ptr<Service> make_service(ServiceSpec spec, std::size_t index);

    // Shutdown, in supervisor_shutdown.cpp.
    void advance_shutdown();
    void begin_sweep();
    void on_sweep_timer();
    void on_deadline();
    void escalate();
    void finish();
    std::pair<int, std::string> exit_code() const;  // and why, when it is not 0
    void note_escalation(const Service& service);

    Settings settings_;
    EventLoop& loop_;
    ProcessHost& host_;
    Clock& clock_;
    SupervisorOptions options_;
    DependencyGraph graph_;
    OutputRouter output_;  // before the services: their captured output drains into it as they go
    std::vector<std::unique_ptr<Service>> services_;
    std::map<std::string, ReplicaSet> replica_sets_;  // of the config applied last
    std::vector<std::size_t> start_order_;
    PidTable pids_;  // every child pid tend waits for, by owner; the rest are orphans
    ServiceRunner runner_;  // after what it uses; the services' timers call it
    std::unordered_map<std::uint64_t, Service*> by_id_;  // services_ only, not the retiring ones
    std::uint64_t next_id_ = 1;
    void index_services();
    Service* find_any(std::uint64_t id);  // also among the retiring ones
    std::vector<EventSource> signal_sources_;
    EventSource exits_source_;  // the host's news of exited children
    EventSource progress_source_;
    std::unique_ptr<Timer> sweep_timer_;
    std::unique_ptr<Timer> deadline_timer_;
    ListenerList<Listener> listeners_;
    ListenerList<SettingsListener> settings_listeners_;
    ListenerList<std::function<void()>> reload_done_listeners_;
    ListenerList<std::function<void()>> services_replaced_listeners_;
    ReloadPlan reload_;
    std::optional<ConfigReader> config_reader_;  // none in exec mode
    std::vector<std::unique_ptr<Service>> retiring_;  // removed by a reload, still stopping
    bool reload_queued_ = false;

    ShutdownSequence shutdown_;
    std::size_t orphans_reaped_ = 0;
    std::unique_ptr<Scheduler> scheduler_;  // last: gone before what it listens to
};

}  // namespace tend
