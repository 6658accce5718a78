// The orchestrator: owns the services, wires every event source (signals,
// SIGCHLD, timers) in its constructor, turns events into state-machine steps,
// performs their actions, and runs the ordered shutdown to an exit code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/dependency_graph.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/process/spawner.hpp"
#include "tend/supervisor/service.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

struct SupervisorOptions {
    bool exec_mode = false;  // tend -- CMD: one critical service, signals forwarded, its status is ours
    bool is_pid1 = false;
};

class Supervisor {
public:
    using Listener = std::function<void(const Service&, const Transition&)>;

    Supervisor(Config config, EventLoop& loop, Spawner& spawner, SupervisorOptions options);
    ~Supervisor();

    // Reaps what is already there and starts the autostart services.
    void start();

    // Operator requests. Return "" on success, else a one-line reason.
    std::string start_service(const std::string& name);
    std::string stop_service(const std::string& name);
    std::string restart_service(const std::string& name);
    std::string signal_service(const std::string& name, int sig);

    void request_shutdown(const std::string& why);
    bool shutting_down() const { return phase_ != Phase::running; }

    Service* find(const std::string& name);
    // "no such service: webb (did you mean web?)"
    std::string no_such_service(const std::string& name) const;
    const std::vector<std::unique_ptr<Service>>& services() const { return services_; }
    const Settings& settings() const { return settings_; }
    std::size_t orphans_reaped() const { return orphans_reaped_; }
    void add_listener(Listener listener) { listeners_.push_back(std::move(listener)); }

private:
    enum class Phase { running, stopping_services, sweeping, killing, done };

    void on_signal(int sig);
    void on_sigchld();
    void on_timer(Service& service);
    void dispatch(Service& service, const ServiceEvent& event);
    std::optional<ServiceEvent> spawn(Service& service);
    void send_signal(Service& service, int sig, bool whole_group);
    void log_transition(const Service& service, const Transition& t);
    void schedule_progress();
    void progress();
    void schedule_starts();
    void check_stopping_groups();

    // Shutdown, in supervisor_shutdown.cpp.
    void advance_shutdown();
    void begin_sweep();
    void on_sweep_timer();
    void on_deadline();
    void escalate();
    void finish();
    int exit_code() const;

    Settings settings_;
    EventLoop& loop_;
    Spawner& spawner_;
    SupervisorOptions options_;
    DependencyGraph graph_;
    std::vector<std::unique_ptr<Service>> services_;
    std::vector<std::size_t> start_order_;
    std::map<pid_t, Service*> by_pid_;
    std::vector<EventSource> signal_sources_;
    EventSource progress_source_;
    EventSource sweep_timer_;
    EventSource deadline_timer_;
    UniqueFd dev_null_;
    std::vector<Listener> listeners_;

    Phase phase_ = Phase::running;
    bool skip_grace_ = false;
    bool deadline_hit_ = false;
    int interrupts_ = 0;
    std::optional<int> critical_exit_;
    std::size_t orphans_reaped_ = 0;
};

}  // namespace tend
