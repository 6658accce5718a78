#include "tend/supervisor/supervisor.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/util/signal_names.hpp"

namespace tend {
Supervisor::Supervisor(Config config, EventLoop& loop, ProcessHost& host, Clock& clock, SupervisorOptions options)
    : settings_(std::move(config.settings)), loop_(loop), host_(host), clock_(clock), options_(options),
      graph_(config.services), output_(loop, settings_.log_format, STDOUT_FILENO),
      runner_(loop, host, clock, output_, pids_, settings_, runner_hooks()),
      shutdown_(ShutdownContext{loop, host, clock, settings_, options_, services_, graph_, runner_, output_,
                                orphans_reaped_, [this] { on_sigchld(); }}),
      signals_(loop, options_, services_, runner_, shutdown_, [this] { reload_from_signal(); }) {
    start_order_ = graph_.start_order();
    replica_sets_ = std::move(config.replica_sets);
    ServiceTable::List services;
    for (std::size_t i = 0; i < config.services.size(); ++i)
        services.push_back(std::make_unique<Service>(config.services[i], i, services_.next_id()));
    services_.set(std::move(services));
    if (!options_.config_path.empty()) config_reader_.emplace(loop_, clock_, options_.config_path);
    exits_source_ = host_.watch_exits(loop_, [this] { on_sigchld(); });
    progress_source_ = loop_.add_post([this] { progress(); });

    if (options_.exec_mode && !services_.empty()) {
        Service& cmd = services_.front();
        cmd.new_session = false;  // keep the terminal's session, as tini does
        cmd.take_terminal = isatty(STDIN_FILENO) == 1;
        cmd.inherit_stdin = true;
        // What CMD leaves behind (an entrypoint's background jobs) gets SIGTERM and kill_grace.
        ServicePolicy policy = cmd.machine().policy();
        policy.leftover_timeout = settings_.kill_grace;
        policy.wake_after_stop_signal = false;  // CMD gets what tend gets, nothing more
        cmd.machine().set_policy(policy);
    }
}

Supervisor::~Supervisor() = default;

RunnerHooks Supervisor::runner_hooks() {
    RunnerHooks hooks;
    hooks.find = [this](std::uint64_t id) { return services_.find_any(id); };
    hooks.transitioned = [this](Service& service, const Transition& t) {
        news_.transitions.for_each([&](const Listener& listener) { listener(service, t); });
        if (!shutting_down()) end_if_decisive(service, t.to);
        schedule_progress();
    };
    hooks.changed = [this](Service& service) {
        tell_listeners(service);
        schedule_progress();
    };
    hooks.started = [this] { schedule_progress(); };
    hooks.escalated = [this](const Service& service) { shutdown_.note_escalation(service); };
    return hooks;
}

void Supervisor::start() {
    // Children that existed before the loop (inherited from whoever exec'd tend)
    // may already be zombies whose SIGCHLD came before the signal was watched.
    on_sigchld();
    for (auto& s : services_)
        if (s->spec().autostart) s->goal = wanted(s->run_want());
    scheduler_ = std::make_unique<Scheduler>(*this, clock_);  // before the starts: it sees each run begin
    schedule_starts();
}

// ---- events ---------------------------------------------------------------

void Supervisor::on_sigchld() {
    host_.reap([this](pid_t pid, const ExitStatus& status) {
        auto owner = pids_.take(pid);
        Service* owned = owner ? services_.find_any(owner->owner) : nullptr;
        if (owner && owner->role == PidRole::probe) {
            if (owned && owned->checks) owned->checks->probe_exited(pid, status);
            return;
        }
        if (!owned) {
            ++orphans_reaped_;
            spdlog::debug("Reaped orphan {} ({})", pid, status.describe());
            return;
        }
        runner_.on_exit(*owned, pid, status);
    });
    // A stopping service whose main process is gone may have had its last process reaped just now.
    services_.for_every([this](Service& s) { runner_.finish_if_gone(s); });
    shutdown_.children_reaped();
}

// A critical service that ended (a critical one-shot only when it failed for
// good) ends tend with its exit status; one that gave up under on_fatal:
// shutdown or exit_when.any_fatal ends it with 1.
void Supervisor::end_if_decisive(const Service& service, ServiceState to) {
    const bool oneshot = service.spec().type == ServiceType::oneshot;
    const bool critical_end = service.spec().critical && (oneshot ? to == ServiceState::failed
                                                                  : to == ServiceState::exited || gave_up(to));
    const bool fatal_end = gave_up(to) && (service.spec().on_fatal == OnFatal::shutdown || settings_.exit_on_any_fatal);
    if (!critical_end && !fatal_end) return;
    // A critical service's own status; a service that gave up makes it 1,
    // whatever its last process died of (often tend's own stop signal).
    const auto& exit = service.machine().last_exit();
    int code = critical_end && exit ? exit->shell_code() : 1;
    std::string what = critical_end ? "critical service " + service.name() + " ended"
                                    : service.name() + " gave up (" +
                                          (service.spec().on_fatal == OnFatal::shutdown ? "on_fatal: shutdown"
                                                                                        : "exit_when: any_fatal") + ")";
    shutdown_.sequence().note_critical_end(code, what + " (" + (exit ? exit->describe() : "no exit status") + ")");
    request_shutdown(what);
}

}  // namespace tend
