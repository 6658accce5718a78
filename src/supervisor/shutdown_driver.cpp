#include "tend/supervisor/shutdown_driver.hpp"

#include <signal.h>

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

#include "tend/supervisor/ordering.hpp"

namespace tend {

ShutdownDriver::ShutdownDriver(ShutdownContext context)
    : c_(std::move(context)),
      sweep_timer_(c_.clock.timer([this] { on_sweep_timer(); })),
      deadline_timer_(c_.clock.timer([this] { on_deadline(); })) {}

void ShutdownDriver::begin(const std::string& why) {
    if (!sequence_.begin(c_.clock.now(), c_.settings.shutdown_timeout)) return;
    spdlog::info("Shutting down: {}", why);
    deadline_timer_->arm(c_.settings.shutdown_timeout);
    // Every goal is down now; the shutdown's own sequence takes the steps.
    for (const auto& s : c_.services) s->goal = {Want::down, s->goal.from_operator, true};
    // Nothing restarts from here on: a service that exits now stays down, and
    // one stopping what its main process left behind settles as exited.
    c_.services.for_every([](Service& s) {
        ServicePolicy policy = s.machine().policy();
        policy.restart = RestartPolicy::never;
        s.machine().set_policy(policy);
    });
    advance();
}

void ShutdownDriver::advance() {
    if (sequence_.phase() != ShutdownSequence::Phase::stopping_services) return;
    std::vector<ServiceView> views;
    views.reserve(c_.services.size());
    for (const auto& s : c_.services) views.push_back(s->view());
    auto stop = [this](Service& s) {
        c_.runner.dispatch(s, {EventKind::stop, {}, {}});
        if (sequence_.skipping_grace()) c_.runner.dispatch(s, {EventKind::kill, {}, {}});
    };
    for (std::size_t i : services_to_stop(c_.graph, views)) stop(c_.services[i]);
    // Services a reload removed are in no dependency graph any more: they just stop.
    for (const auto& s : c_.services.retiring()) stop(*s);
    if (every_service_down()) begin_sweep();
}

void ShutdownDriver::children_reaped() {
    if (sequence_.sweeping() && !c_.host.has_children()) finish();
}

bool ShutdownDriver::every_service_down() const {
    bool down = true;
    c_.services.for_every([&](const Service& s) { down = down && is_down(s.state()); });
    return down;
}

void ShutdownDriver::begin_sweep() {
    sequence_.enter(ShutdownSequence::Phase::sweeping);
    if (!c_.host.has_children()) {
        finish();
        return;
    }
    if (sequence_.skipping_grace() || c_.settings.kill_grace.count() == 0) {
        on_sweep_timer();
        return;
    }
    spdlog::debug("Sending SIGTERM to leftover processes");
    c_.host.signal_all(c_.options.is_pid1, SIGTERM);
    sweep_timer_->arm(c_.settings.kill_grace);
}

void ShutdownDriver::on_sweep_timer() {
    if (sequence_.done()) return;
    sequence_.enter(ShutdownSequence::Phase::killing);
    spdlog::info("Sending SIGKILL to leftover processes");
    c_.host.signal_all(c_.options.is_pid1, SIGKILL);
    c_.reap();
}

void ShutdownDriver::escalate() {
    if (!sequence_.skip_grace()) return;
    spdlog::warn("Second SIGINT: skipping grace periods, sending SIGKILL");
    if (!started()) begin("SIGINT received twice");
    c_.services.for_every([this](Service& s) {
        if (s.state() == ServiceState::stopping) c_.runner.dispatch(s, {EventKind::kill, {}, {}});
    });
    if (sequence_.phase() == ShutdownSequence::Phase::sweeping) on_sweep_timer();
}

void ShutdownDriver::on_deadline() {
    if (sequence_.done()) return;
    sequence_.note_deadline_hit();
    spdlog::error("Shutdown took longer than shutdown_timeout {}: killing everything",
                  format_duration(c_.settings.shutdown_timeout));
    c_.services.for_every([this](Service& s) { c_.host.signal(s.scope, SIGKILL); });
    c_.host.signal_all(c_.options.is_pid1, SIGKILL);
    c_.host.reap([](pid_t, const ExitStatus&) {});
    finish();
}

void ShutdownDriver::finish() {
    if (sequence_.done()) return;
    sequence_.enter(ShutdownSequence::Phase::done);
    // Every captured byte a service wrote before it died reaches stdout before
    // tend exits, as long as the reader takes it within the shutdown deadline.
    c_.services.for_every([](Service& s) {
        if (s.output) s.output->drain();
    });
    auto now = c_.clock.now();
    c_.output.writer().flush_until(std::max(sequence_.deadline(), now + std::chrono::milliseconds(500)));
    auto [code, why] = exit_code();
    if (code == 0) spdlog::info("Exiting with code 0 ({} orphans reaped)", c_.orphans_reaped);
    else  // a warning when it says something went wrong; CMD's own status is just news
        spdlog::log(code == 1 && !c_.options.exec_mode ? spdlog::level::warn : spdlog::level::info,
                    "Exiting with code {}: {} ({} orphans reaped)", code, why, c_.orphans_reaped);
    spdlog::default_logger()->flush();
    c_.loop.exit(code);
}

std::pair<int, std::string> ShutdownDriver::exit_code() const {
    if (c_.options.exec_mode && !c_.services.empty()) {
        const Service& cmd = c_.services.front();
        const auto& exit = cmd.machine().last_exit();
        int code = exit ? exit->shell_code() : 1;
        std::string why = exit ? cmd.name() + " " + exit->describe() : "no exit status";
        if (auto it = c_.options.exit_remaps.find(code); it != c_.options.exit_remaps.end()) {
            why += " (--remap-exit " + std::to_string(code) + ":" + std::to_string(it->second) + ")";
            code = it->second;
        }
        return {code, why};
    }
    return sequence_.exit_code(c_.settings.shutdown_timeout);
}

void ShutdownDriver::note_escalation(const Service& service) {
    const ServicePolicy& policy = service.machine().policy();
    std::string what = service.name() + " needed SIGKILL after stop_timeout " + format_duration(policy.stop_timeout);
    spdlog::warn("{}", what);
    // Only a SIGKILL of this shutdown makes its exit code 1; an earlier stop's does not.
    if (started()) sequence_.note_kill(std::move(what));
}

}  // namespace tend
