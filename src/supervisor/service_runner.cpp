#include "tend/supervisor/service_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tend/util/signal_names.hpp"
#include "tend/util/system_error.hpp"

namespace tend {
namespace {

void log_transition(const Service& service, const Transition& t) {
    std::string pid = service.pid > 0 && (t.to == ServiceState::starting || t.to == ServiceState::running)
                          ? " (pid " + std::to_string(service.pid) + ")"
                          : "";
    auto level = t.to == ServiceState::fatal ? spdlog::level::err : spdlog::level::info;
    spdlog::log(level, "{}: {} -> {}{}{}{}", service.name(), to_string(t.from), to_string(t.to), pid,
                t.reason.empty() ? "" : ": ", t.reason);
}

bool kills(const Transition& t) {
    return std::any_of(t.actions.begin(), t.actions.end(),
                       [](const Action& a) { return a.kind == ActionKind::signal && a.signal == SIGKILL; });
}

}  // namespace

ServiceRunner::ServiceRunner(EventLoop& loop, ProcessHost& host, Clock& clock, OutputRouter& output, PidTable& pids,
                             const Settings& settings, RunnerHooks hooks)
    : loop_(loop), host_(host), clock_(clock), output_(output), pids_(pids), settings_(settings),
      hooks_(std::move(hooks)) {
    dev_null_.reset(open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!dev_null_) throw errno_error("Failed to open /dev/null");
}

void ServiceRunner::on_exit(Service& service, pid_t pid, const ExitStatus& status) {
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
}

bool ServiceRunner::all_gone(Service& s) {
    return s.state() == ServiceState::stopping && !s.machine().leader_alive() && !host_.alive(s.scope);
}

void ServiceRunner::finish_if_gone(Service& service) {
    if (!all_gone(service)) return;
    service.scope = {};
    dispatch(service, {EventKind::group_empty, {}, {}});
}

void ServiceRunner::on_timer(Service& service, TimerKind kind) {
    switch (kind) {
        case TimerKind::readiness:
            dispatch(service, {EventKind::uptime_reached, {}, {}});
            hooks_.started();
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
void ServiceRunner::note_escaped(Service& service) {
    host_.note_escaped(service.pid, service.scope);
    if (!service.scope.escaped().empty())
        spdlog::debug("{}: {} descendant(s) outside its {} will be waited for", service.name(),
                      service.scope.escaped().size(), service.scope.describe());
}

// Made at its first arm: a service that starts and runs arms one (readiness),
// and most never arm the others.
Timer& ServiceRunner::timer_of(Service& service, TimerKind kind) {
    std::unique_ptr<Timer>& timer = service.timers[static_cast<std::size_t>(kind)];
    if (!timer) timer = clock_.timer([this, raw = &service, kind] { on_timer(*raw, kind); });
    return *timer;
}

void ServiceRunner::dispatch(Service& service, const ServiceEvent& event) {
    const int late_failures = service.machine().late_failures();
    Transition t = service.machine().step(event, clock_.now());
    if (service.machine().late_failures() > late_failures) note_late_failure(service);
    if (event.kind == EventKind::stop_timeout && t.from == ServiceState::stopping && service.machine().needed_kill() &&
        kills(t))
        hooks_.escalated(service);
    std::optional<ServiceEvent> follow_up;
    if (t.to == ServiceState::stopping && t.from != ServiceState::stopping) note_escaped(service);
    for (const Action& action : t.actions) {
        switch (action.kind) {
            case ActionKind::spawn: follow_up = spawn(service); break;
            case ActionKind::signal: send_signal(service, action.signal, action.whole_group); break;
            case ActionKind::arm_timer: timer_of(service, action.timer).arm(action.delay); break;
            case ActionKind::cancel_timers:
                for (auto& timer : service.timers)
                    if (timer) timer->disarm();
                break;
        }
    }
    if (t.changed()) {
        if (service.checks) {
            if (t.to == ServiceState::running) service.checks->running();
            else if (t.to != ServiceState::starting) service.checks->ended();
        }
        log_transition(service, t);
        hooks_.transitioned(service, t);
    }
    if (follow_up) dispatch(service, *follow_up);
}

// A service that keeps crashing after min_uptime never uses up the count form
// of max_restarts: said once, with the form that would give up on it.
void ServiceRunner::note_late_failure(Service& service) {
    const ServicePolicy& policy = service.machine().policy();
    if (policy.restart_window.count() > 0 || policy.max_restarts < 0) return;
    if (!service.restart_loop.note(clock_.now())) return;
    spdlog::warn("{}: crashed and restarted {} times within {}; max_restarts: {} counts only failed starts in a row "
                 "(exits before it was up), so this loop never ends; to give up on it, use max_restarts: "
                 "{{count, within}}, e.g. {{count: {}, within: 1m}}",
                 service.name(), RestartLoop::kRestarts, format_duration(RestartLoop::kWithin), policy.max_restarts,
                 RestartLoop::kRestarts);
}

std::optional<ServiceEvent> ServiceRunner::attach_output(Service& service, SpawnRequest& request,
                                                         OutputWriters& writers) {
    if (ServiceOutput::captures(service.spec())) {
        try {
            if (!service.output) service.output = std::make_unique<ServiceOutput>(output_, service.spec());
            writers = service.output->open_writers();
        } catch (const std::exception& e) {
            spdlog::error("{}: {}", service.name(), e.what());
            return ServiceEvent{EventKind::spawn_failed, ExitStatus::exited(126), e.what()};
        }
        request.stdout_fd = writers.out.get();
        request.stderr_fd = writers.err.get();
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
    return std::nullopt;
}

std::optional<ServiceEvent> ServiceRunner::spawn(Service& service) {
    SpawnRequest request;
    try {
        request = service.spawn_request();
    } catch (const std::runtime_error& e) {  // an env_file it cannot read: a failed start, not tend's end
        spdlog::error("{}: failed to read env_file {}", service.name(), e.what());
        return ServiceEvent{EventKind::spawn_failed, ExitStatus::exited(126), std::string("env_file ") + e.what()};
    }
    OutputWriters writers;  // closed on return: the child has its own copies by then
    if (auto failed = attach_output(service, request, writers)) return failed;
    if (!service.checks && ServiceChecks::needed_for(service.spec())) service.checks = make_checks(service);
    SpawnRequest like = request;  // what its probe commands run like; they get pipes of their own
    like.stdout_fd = like.stderr_fd = -1;
    try {
        if (service.checks) service.checks->prepare(request);
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
    if (service.checks) service.checks->spawned(result.pid, like);
    return ServiceEvent{EventKind::spawned, {}, {}};
}

void ServiceRunner::begin_checks(Service& service) {
    if (service.checks || !ServiceChecks::needed_for(service.spec())) return;
    service.checks = make_checks(service);
    if (service.pid <= 0) return;  // its next spawn starts them
    SpawnRequest like = probe_request(service).value_or(SpawnRequest{});
    like.new_session = service.new_session;
    service.checks->spawned(service.pid, like);
    if (service.state() == ServiceState::running) service.checks->running();
}

std::optional<SpawnRequest> ServiceRunner::probe_request(const Service& service) {
    try {
        return service.spawn_request();
    } catch (const std::runtime_error& e) {
        spdlog::warn("{}: its health check runs without its env_file: {}", service.name(), e.what());
        return std::nullopt;
    }
}

std::unique_ptr<ServiceChecks> ServiceRunner::make_checks(Service& service) {
    CheckHooks hooks;
    const std::uint64_t id = service.id();
    // Each hook finds the service again: a reload may have removed it.
    hooks.emit = [this, id](const ServiceEvent& event) {
        if (Service* s = hooks_.find(id)) dispatch(*s, event);
    };
    hooks.track_probe = [this, id](pid_t pid) { pids_.add(pid, {id, PidRole::probe}); };
    hooks.extend_ready = [this, id](Duration more) {
        Service* s = hooks_.find(id);
        Timer* timer = s ? s->timers[static_cast<std::size_t>(TimerKind::ready_timeout)].get() : nullptr;
        if (timer && timer->armed()) timer->arm(more);
    };
    hooks.changed = [this, id] {
        if (Service* s = hooks_.find(id)) hooks_.changed(*s);
    };
    hooks.probe_like = [this, id]() -> std::optional<SpawnRequest> {
        Service* s = hooks_.find(id);
        return s ? probe_request(*s) : std::nullopt;
    };
    return std::make_unique<ServiceChecks>(loop_, clock_, host_, output_, service.spec(),
                                           notify_dir_for(settings_.control_socket), std::move(hooks));
}

void ServiceRunner::send_signal(Service& service, int sig, bool whole_group) {
    if (whole_group ? service.scope.empty() : service.pid <= 0) return;
    bool sent = whole_group ? host_.signal(service.scope, sig) : host_.signal(service.pid, sig);
    if (!sent && errno != ESRCH)
        spdlog::warn("{}: failed to send {} to {}: {}", service.name(), signal_name(sig),
                     whole_group ? service.scope.describe() : "process " + std::to_string(service.pid),
                     std::strerror(errno));
}

}  // namespace tend
