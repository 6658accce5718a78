#include "tend/supervisor/supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tend/event/signal_mask.hpp"
#include "tend/util/signal_names.hpp"
#include "tend/util/system_error.hpp"

namespace tend {
namespace {

// Signals a process can be sent and that do not stop it dead: each gets a
// source so none is left to its default action (for PID 1: silently dropped).
// The fault signals too (kFaultSignals): read here only when sent with kill(2);
// a real fault in tend still goes to the kernel's default action.
// SIGCHLD is the host's (watch_exits).
constexpr int kWatchedSignals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
                                   SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,
                                   SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSTKFLT};


}  // namespace

Supervisor::Supervisor(Config config, EventLoop& loop, ProcessHost& host, Clock& clock, SupervisorOptions options)
    : settings_(std::move(config.settings)), loop_(loop), host_(host), clock_(clock), options_(options),
      graph_(config.services), output_(loop, settings_.log_format, STDOUT_FILENO) {
    start_order_ = graph_.start_order();
    replica_sets_ = std::move(config.replica_sets);
    for (std::size_t i = 0; i < config.services.size(); ++i)
        services_.push_back(make_service(std::move(config.services[i]), i));
    index_services();
    if (!options_.config_path.empty()) config_reader_.emplace(loop_, clock_, options_.config_path);
    std::vector<int> watched(std::begin(kWatchedSignals), std::end(kWatchedSignals));
    watched.insert(watched.end(), std::begin(kFaultSignals), std::end(kFaultSignals));
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) watched.push_back(sig);  // e.g. Docker's STOPSIGNAL SIGRTMIN+3
    for (int sig : watched)
        signal_sources_.push_back(loop_.add_signal(sig, [this](const signalfd_siginfo& info) {
            on_signal(static_cast<int>(info.ssi_signo));
        }));
    exits_source_ = host_.watch_exits(loop_, [this] { on_sigchld(); });
    progress_source_ = loop_.add_post([this] { progress(); });
    sweep_timer_ = clock_.timer([this] { on_sweep_timer(); });
    deadline_timer_ = clock_.timer([this] { on_deadline(); });

    dev_null_.reset(open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!dev_null_) throw errno_error("Failed to open /dev/null");

    if (options_.exec_mode && !services_.empty()) {
        Service& cmd = *services_.front();
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
        Service* owned = owner ? find_any(owner->owner) : nullptr;
        if (owner && owner->role == PidRole::probe) {
            if (owned && owned->checks) owned->checks->probe_exited(pid, status);
            return;
        }
        if (!owned) {
            ++orphans_reaped_;
            spdlog::debug("Reaped orphan {} ({})", pid, status.describe());
            return;
        }
        Service& service = *owned;
        service.pid = 0;
        // Everything it wrote is in its pipes now: take it before its exit is logged.
        if (service.output) service.output->drain();
        ServiceEvent exited{EventKind::exited, status, {}};
        // Leftovers matter only when the main process went on its own, not in a stop.
        if (service.state() != ServiceState::stopping && host_.alive(service.scope)) {
            exited.group_alive = true;
            const ServicePolicy& policy = service.machine().policy();
            spdlog::info("{}: main process {} {}; {} process(es) left in its group get {}, then SIGKILL after {}",
                         service.name(), pid, status.describe(), host_.size(service.scope),
                         signal_name(policy.stop_signal), format_duration(policy.leftover_timeout));
        }
        dispatch(service, exited);
    });
    check_stopping_groups();
    if (shutdown_.sweeping() && !host_.has_children()) finish();
}

// Stopped means nothing of its scope is left.
bool Supervisor::all_gone(Service& s) {
    return s.state() == ServiceState::stopping && !s.machine().leader_alive() && !host_.alive(s.scope);
}

void Supervisor::check_stopping_groups() {
    for_every_service([this](Service& s) {
        if (all_gone(s)) {
            s.scope = {};
            dispatch(s, {EventKind::group_empty, {}, {}});
        }
    });
}

void Supervisor::on_timer(Service& service, TimerKind kind) {
    switch (kind) {
        case TimerKind::readiness:
            dispatch(service, {EventKind::uptime_reached, {}, {}});
            schedule_progress();  // started, if not ready: `depends_on: {x: started}` may go on
            return;
        case TimerKind::ready_timeout: dispatch(service, {EventKind::ready_timeout, {}, {}}); return;
        case TimerKind::backoff: dispatch(service, {EventKind::backoff_over, {}, {}}); return;
        case TimerKind::stop:
            if (all_gone(service)) {
                service.scope = {};
                dispatch(service, {EventKind::group_empty, {}, {}});
                return;
            }
            dispatch(service, {EventKind::stop_timeout, {}, {}});
            return;
    }
}

// When a stop begins, the main process's descendants that left its scope
// (setsid: PostgreSQL's backends, many daemons' workers) are noted in it, so
// the stop's signals reach them too (as a cgroup's would: the stop signal
// unless kill_mode: process, SIGCONT and SIGKILL) and the stop waits for them.
// Leftovers of a dead leader: only what the scope already holds is known.
void Supervisor::note_escaped(Service& service) {
    host_.note_escaped(service.pid, service.scope);
    if (!service.scope.escaped().empty())
        spdlog::debug("{}: {} descendant(s) outside its {} will be waited for", service.name(),
                      service.scope.escaped().size(), service.scope.describe());
}

// ---- the state machine's actions -------------------------------------------

void Supervisor::dispatch(Service& service, const ServiceEvent& event) {
    const int late_failures = service.machine().late_failures();
    Transition t = service.machine().step(event, clock_.now());
    if (service.machine().late_failures() > late_failures) note_late_failure(service);
    if (event.kind == EventKind::stop_timeout && t.from == ServiceState::stopping && service.machine().needed_kill() &&
        std::any_of(t.actions.begin(), t.actions.end(),
                    [](const Action& a) { return a.kind == ActionKind::signal && a.signal == SIGKILL; }))
        note_escalation(service);
    std::optional<ServiceEvent> follow_up;
    if (t.to == ServiceState::stopping && t.from != ServiceState::stopping) note_escaped(service);
    for (const Action& action : t.actions) {
        switch (action.kind) {
            case ActionKind::spawn: follow_up = spawn(service); break;
            case ActionKind::signal: send_signal(service, action.signal, action.whole_group); break;
            case ActionKind::arm_timer: service.timers[static_cast<std::size_t>(action.timer)]->arm(action.delay); break;
            case ActionKind::cancel_timers:
                for (auto& timer : service.timers) timer->disarm();
                break;
        }
    }
    if (t.changed()) {
        if (service.checks) {
            if (t.to == ServiceState::running) service.checks->running();
            else if (t.to != ServiceState::starting) service.checks->ended();
        }
        log_transition(service, t);
        listeners_.for_each([&](const Listener& listener) { listener(service, t); });
        if (!shutting_down()) end_if_decisive(service, t.to);
        schedule_progress();
    }
    if (follow_up) dispatch(service, *follow_up);
}

// A service that keeps crashing after min_uptime never uses up the count form
// of max_restarts: said once, with the form that would give up on it.
void Supervisor::note_late_failure(Service& service) {
    const ServicePolicy& policy = service.machine().policy();
    if (policy.restart_window.count() > 0 || policy.max_restarts < 0) return;
    if (!service.restart_loop.note(clock_.now())) return;
    spdlog::warn("{}: crashed and restarted {} times within {}; max_restarts: {} counts only failed starts in a row "
                 "(exits before it was up), so this loop never ends; to give up on it, use max_restarts: "
                 "{{count, within}}, e.g. {{count: {}, within: 1m}}",
                 service.name(), RestartLoop::kRestarts, format_duration(RestartLoop::kWithin), policy.max_restarts,
                 RestartLoop::kRestarts);
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
    shutdown_.note_critical_end(code, what + " (" + (exit ? exit->describe() : "no exit status") + ")");
    request_shutdown(what);
}

std::optional<ServiceEvent> Supervisor::spawn(Service& service) {
    SpawnRequest request;
    try {
        request = service.spawn_request();
    } catch (const std::runtime_error& e) {  // an env_file it cannot read: a failed start, not tend's end
        spdlog::error("{}: failed to read env_file {}", service.name(), e.what());
        return ServiceEvent{EventKind::spawn_failed, ExitStatus::exited(126), std::string("env_file ") + e.what()};
    }
    if (ServiceOutput::captures(service.spec())) {
        try {
            if (!service.output) service.output = std::make_unique<ServiceOutput>(loop_, output_, service.spec());
        } catch (const std::exception& e) {
            spdlog::error("{}: {}", service.name(), e.what());
            return ServiceEvent{EventKind::spawn_failed, ExitStatus::exited(126), e.what()};
        }
        request.stdout_fd = service.output->stdout_fd();
        request.stderr_fd = service.output->stderr_fd();
        // The service's ends of its pipes are its own: a `user:` service can then
        // reopen /dev/stdout (nginx's log reopen, `echo > /dev/stdout`).
        if (const auto& creds = service.spec().credentials)
            for (int fd : {request.stdout_fd, request.stderr_fd})
                if (fchown(fd, creds->uid, creds->gid) < 0)
                    spdlog::warn("{}: failed to give its output pipe to uid {}: {}", service.name(), creds->uid,
                                 std::strerror(errno));
    } else if (service.spec().output == OutputMode::discard) {
        request.stdout_fd = request.stderr_fd = dev_null_.get();
    }
    if (!service.checks) service.checks = make_checks(service);
    SpawnRequest like = request;  // what its probe commands run like, without its fds
    try {
        service.checks->prepare(request);
    } catch (const std::system_error& e) {
        spdlog::error("{}: {}", service.name(), e.what());
        return ServiceEvent{EventKind::spawn_failed, ExitStatus::exited(126), e.what()};
    }
    SpawnResult result = host_.spawn(request);
    if (!result.ok()) {
        spdlog::error("{}: {}", service.name(), result.what);
        int code = result.error == ENOENT ? 127 : 126;  // what a shell reports for the same failure
        return ServiceEvent{EventKind::spawn_failed, ExitStatus::exited(code), result.what};
    }
    service.pid = result.pid;
    service.scope = result.scope;
    service.started_at = clock_.now();
    pids_.add(result.pid, {service.id(), PidRole::main});
    service.checks->spawned(result.pid, like);
    return ServiceEvent{EventKind::spawned, {}, {}};
}

std::unique_ptr<ServiceChecks> Supervisor::make_checks(Service& service) {
    CheckHooks hooks;
    const std::uint64_t id = service.id();
    // Each hook finds the service again: a reload may have removed it.
    hooks.emit = [this, id](const ServiceEvent& event) {
        if (Service* s = find_any(id)) dispatch(*s, event);
    };
    hooks.track_probe = [this, id](pid_t pid) { pids_.add(pid, {id, PidRole::probe}); };
    hooks.extend_ready = [this, id](Duration more) {
        Service* s = find_any(id);
        Timer* timer = s ? s->timers[static_cast<std::size_t>(TimerKind::ready_timeout)].get() : nullptr;
        if (timer && timer->armed()) timer->arm(more);
    };
    hooks.changed = [this, id] {
        Service* s = find_any(id);
        if (!s) return;
        tell_listeners(*s);
        schedule_progress();
    };
    hooks.probe_like = [this, id]() -> std::optional<SpawnRequest> {
        Service* s = find_any(id);
        if (!s) return std::nullopt;
        try {
            SpawnRequest like = s->spawn_request();
            if (s->output) {
                like.stdout_fd = s->output->stdout_fd();
                like.stderr_fd = s->output->stderr_fd();
            }
            return like;
        } catch (const std::runtime_error& e) {
            spdlog::warn("{}: its health check runs without its env_file: {}", s->name(), e.what());
            return std::nullopt;
        }
    };
    return std::make_unique<ServiceChecks>(loop_, clock_, host_, output_, service.spec(),
                                           notify_dir_for(settings_.control_socket), std::move(hooks));
}

void Supervisor::send_signal(Service& service, int sig, bool whole_group) {
    if (whole_group ? service.scope.empty() : service.pid <= 0) return;
    bool sent = whole_group ? host_.signal(service.scope, sig) : host_.signal(service.pid, sig);
    if (!sent && errno != ESRCH)
        spdlog::warn("{}: failed to send {} to {}: {}", service.name(), signal_name(sig),
                     whole_group ? service.scope.describe() : "process " + std::to_string(service.pid),
                     std::strerror(errno));
}

void Supervisor::log_transition(const Service& service, const Transition& t) {
    std::string pid = service.pid > 0 && (t.to == ServiceState::starting || t.to == ServiceState::running)
                          ? " (pid " + std::to_string(service.pid) + ")"
                          : "";
    auto level = t.to == ServiceState::fatal ? spdlog::level::err : spdlog::level::info;
    spdlog::log(level, "{}: {} -> {}{}{}{}", service.name(), to_string(t.from), to_string(t.to), pid,
                t.reason.empty() ? "" : ": ", t.reason);
}

}  // namespace tend
