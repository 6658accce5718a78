// The ordered shutdown: services in reverse dependency order, then the sweep of
// whatever is left, all under the shutdown_timeout deadline.
#include <signal.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"

namespace tend {

void Supervisor::request_shutdown(const std::string& why) {
    if (!shutdown_.begin(clock_.now(), settings_.shutdown_timeout)) return;
    spdlog::info("Shutting down: {}", why);
    deadline_timer_->arm(settings_.shutdown_timeout);
    // Every goal is down now; the shutdown's own sequence takes the steps.
    for (auto& s : services_) s->goal = {Want::down, s->goal.from_operator, true};
    // Nothing restarts from here on: a service that exits now stays down, and
    // one stopping what its main process left behind settles as exited.
    for_every_service([](Service& s) {
        ServicePolicy policy = s.machine().policy();
        policy.restart = RestartPolicy::never;
        s.machine().set_policy(policy);
    });
    advance_shutdown();
}

void Supervisor::advance_shutdown() {
    if (shutdown_.phase() != ShutdownSequence::Phase::stopping_services) return;
    std::vector<ServiceView> views;
    for (const auto& s : services_) views.push_back(s->view());
    for (std::size_t i : services_to_stop(graph_, views)) {
        runner_.dispatch(*services_[i], {EventKind::stop, {}, {}});
        if (shutdown_.skipping_grace()) runner_.dispatch(*services_[i], {EventKind::kill, {}, {}});
    }
    // Services a reload removed are in no dependency graph any more: they just stop.
    for (auto& s : retiring_) {
        runner_.dispatch(*s, {EventKind::stop, {}, {}});
        if (shutdown_.skipping_grace()) runner_.dispatch(*s, {EventKind::kill, {}, {}});
    }
    if (every_service_down()) begin_sweep();
}

bool Supervisor::every_service_down() {
    bool down = true;
    for_every_service([&](const Service& s) { down = down && is_down(s.state()); });
    return down;
}

void Supervisor::begin_sweep() {
    shutdown_.enter(ShutdownSequence::Phase::sweeping);
    if (!host_.has_children()) {
        finish();
        return;
    }
    if (shutdown_.skipping_grace() || settings_.kill_grace.count() == 0) {
        on_sweep_timer();
        return;
    }
    spdlog::debug("Sending SIGTERM to leftover processes");
    host_.signal_all(options_.is_pid1, SIGTERM);
    sweep_timer_->arm(settings_.kill_grace);
}

void Supervisor::on_sweep_timer() {
    if (shutdown_.done()) return;
    shutdown_.enter(ShutdownSequence::Phase::killing);
    spdlog::info("Sending SIGKILL to leftover processes");
    host_.signal_all(options_.is_pid1, SIGKILL);
    on_sigchld();
}

void Supervisor::escalate() {
    if (!shutdown_.skip_grace()) return;
    spdlog::warn("Second SIGINT: skipping grace periods, sending SIGKILL");
    if (!shutting_down()) request_shutdown("SIGINT received twice");
    for_every_service([this](Service& s) {
        if (s.state() == ServiceState::stopping) runner_.dispatch(s, {EventKind::kill, {}, {}});
    });
    if (shutdown_.phase() == ShutdownSequence::Phase::sweeping) on_sweep_timer();
}

void Supervisor::on_deadline() {
    if (shutdown_.done()) return;
    shutdown_.note_deadline_hit();
    spdlog::error("Shutdown took longer than shutdown_timeout {}: killing everything", format_duration(settings_.shutdown_timeout));
    for_every_service([this](Service& s) { host_.signal(s.scope, SIGKILL); });
    host_.signal_all(options_.is_pid1, SIGKILL);
    host_.reap([](pid_t, const ExitStatus&) {});
    finish();
}

void Supervisor::finish() {
    if (shutdown_.done()) return;
    shutdown_.enter(ShutdownSequence::Phase::done);
    // Every captured byte a service wrote before it died reaches stdout before
    // tend exits, as long as the reader takes it within the shutdown deadline.
    for_every_service([](Service& s) {
        if (s.output) s.output->drain();
    });
    auto now = clock_.now();
    output_.writer().flush_until(std::max(shutdown_.deadline(), now + std::chrono::milliseconds(500)));
    auto [code, why] = exit_code();
    if (code == 0) spdlog::info("Exiting with code 0 ({} orphans reaped)", orphans_reaped_);
    else  // a warning when it says something went wrong; CMD's own status is just news
        spdlog::log(code == 1 && !options_.exec_mode ? spdlog::level::warn : spdlog::level::info,
                    "Exiting with code {}: {} ({} orphans reaped)", code, why, orphans_reaped_);
    spdlog::default_logger()->flush();
    loop_.exit(code);
}

std::pair<int, std::string> Supervisor::exit_code() const {
    if (options_.exec_mode && !services_.empty()) {
        const auto& exit = services_.front()->machine().last_exit();
        int code = exit ? exit->shell_code() : 1;
        std::string why = exit ? services_.front()->name() + " " + exit->describe() : "no exit status";
        if (auto it = options_.exit_remaps.find(code); it != options_.exit_remaps.end()) {
            why += " (--remap-exit " + std::to_string(code) + ":" + std::to_string(it->second) + ")";
            code = it->second;
        }
        return {code, why};
    }
    return shutdown_.exit_code(settings_.shutdown_timeout);
}

void Supervisor::note_escalation(const Service& service) {
    const ServicePolicy& policy = service.machine().policy();
    std::string what = service.name() + " needed SIGKILL after stop_timeout " + format_duration(policy.stop_timeout);
    spdlog::warn("{}", what);
    // Only a SIGKILL of this shutdown makes its exit code 1; an earlier stop's does not.
    if (shutting_down()) shutdown_.note_kill(std::move(what));
}

}  // namespace tend
