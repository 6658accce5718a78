#include "tend/supervisor/service_checks.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tend/process/process_tree.hpp"
#include "tend/util/system_error.hpp"

namespace tend {
namespace {

std::optional<long long> number_field(const std::string& text) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

Duration from_usec(long long usec) { return std::chrono::duration_cast<Duration>(std::chrono::microseconds(usec)); }

}  // namespace

const char* to_string(HealthState::Verdict verdict) {
    switch (verdict) {
        case HealthState::Verdict::none: return "none";
        case HealthState::Verdict::unknown: return "starting";
        case HealthState::Verdict::healthy: return "healthy";
        case HealthState::Verdict::unhealthy: return "unhealthy";
    }
    return "?";
}

std::string notify_dir_for(const std::string& control_socket) { return control_socket + ".notify"; }

ServiceChecks::ServiceChecks(EventLoop& loop, Clock& clock, ProcessHost& host, OutputRouter& output, const ServiceSpec& spec,
                             std::string notify_dir, CheckHooks hooks)
    : loop_(loop), clock_(clock), host_(host), output_(output),
      spec_{spec.name, spec.credentials, spec.ready, spec.health}, notify_dir_(std::move(notify_dir)),
      hooks_(std::move(hooks)) {
    ready_timer_ = clock_.timer([this] { start_ready_probe(); });
    health_timer_ = clock_.timer([this] { start_health_probe(); });
    watchdog_timer_ = clock_.timer([this] { on_watchdog(); });
    warning_timer_ = clock_.timer([this] { report_suppressed(); });
    if (spec_.ready.probe.kind == ProbeSpec::Kind::log) ready_pattern_.emplace(spec_.ready.probe.pattern);
}

ServiceChecks::~ServiceChecks() = default;

void ServiceChecks::prepare(SpawnRequest& request) {
    ended();  // whatever the last run left
    if (spec_.ready.notify == NotifyKind::systemd) {
        if (!notify_) {
            notify_ = std::make_unique<NotifySocket>(shared_notify_dir(notify_dir_), notify_dir_, spec_.name,
                                                     spec_.credentials);
            notify_watch_ = loop_.add_io(notify_->fd(), EPOLLIN, [this](uint32_t) { on_notify(); });
        }
        request.environment.push_back("NOTIFY_SOCKET=" + notify_->path());
        if (spec_.ready.watchdog.count() > 0)
            request.environment.push_back(
                "WATCHDOG_USEC=" +
                std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(spec_.ready.watchdog).count()));
    } else if (spec_.ready.notify == NotifyKind::fd) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) throw errno_error("failed to create the readiness pipe");
        ready_read_.reset(fds[0]);
        ready_write_.reset(fds[1]);
        // The service's end blocks like any pipe; only tend's end must not.
        fcntl(ready_write_.get(), F_SETFL, 0);
        request.pass_fd = ready_write_.get();
        request.pass_fd_as = spec_.ready.fd;
    }
}

void ServiceChecks::spawned(pid_t main, const SpawnRequest& like) {
    main_pid_ = main;
    leads_session_ = like.new_session;
    notify_main_pid_ = 0;
    status_text_.clear();
    probe_like_.reset();
    if (runs_probe_commands()) probe_like_ = like;
    ready_write_.reset();  // the child holds it now: its exit closes the pipe
    health_ = {};
    if (!spec_.ready.external()) return;
    waiting_ready_ = true;
    ready_pipe_bytes_ = 0;
    if (ready_read_)
        ready_pipe_watch_ = loop_.add_io(ready_read_.get(), EPOLLIN, [this](uint32_t) { on_ready_pipe(); });
    ready_lines_skipped_ = 0;
    if (ready_pattern_)
        ready_lines_ = output_.follow({spec_.name}, [this](const LineView& line) { search_for_ready(line); });
    if (spec_.ready.probe.kind != ProbeSpec::Kind::none && spec_.ready.probe.kind != ProbeSpec::Kind::log)
        start_ready_probe();
}

// Each search is bounded (Pattern reads a bounded prefix), and all of them
// together take at most a tenth of tend's time: a service printing faster
// than a costly pattern can be searched has lines skipped, not the loop held.
void ServiceChecks::search_for_ready(const LineView& line) {
    if (!waiting_ready_) return;
    const auto began = clock_.now();
    if (!ready_search_budget_.available(began)) {
        if (ready_lines_skipped_++ == 0)
            spdlog::warn("{}: searching its output for /{}/ takes over a tenth of tend's time; lines are skipped while "
                         "it does (a simpler ready.log pattern avoids this)",
                         spec_.name, ready_pattern_->text());
        return;
    }
    const bool found = ready_pattern_->search(line.text);
    ready_search_budget_.spend(clock_.now() - began);
    if (!found) return;
    // Made at the first match: most services are not made ready by a line.
    if (!ready_post_) ready_post_ = loop_.add_post([this] { announce_ready("its output matched"); });
    EventLoop::schedule(ready_post_.get());
}

void ServiceChecks::announce_ready(const char* how) {
    if (!waiting_ready_) return;
    spdlog::debug("{}: ready: {}", spec_.name, how);
    stop_readiness();
    hooks_.emit({EventKind::ready, {}, {}});
}

void ServiceChecks::running() {
    waiting_ready_ = false;
    running_ = true;
    running_since_ = clock_.now();
    if (spec_.health.enabled()) {
        health_.verdict = HealthState::Verdict::unknown;
        start_health_probe();
    }
    if (spec_.ready.watchdog.count() > 0) watchdog_timer_->arm(spec_.ready.watchdog);
}

void ServiceChecks::stop_readiness() {
    waiting_ready_ = false;
    ready_attempt_.reset();
    ready_timer_->disarm();
    ready_lines_.reset();
    ready_pipe_watch_.reset();
    ready_read_.reset();
}

void ServiceChecks::ended() {
    stop_readiness();
    running_ = false;
    main_pid_ = 0;
    health_attempt_.reset();
    health_timer_->disarm();
    watchdog_timer_->disarm();
    ready_write_.reset();
    // The health verdict stays until the next run: it may say why this one ended.
}

void ServiceChecks::probe_exited(pid_t pid, const ExitStatus& status) {
    // Either may end the other's owner: look each up afresh.
    if (ready_attempt_ && ready_attempt_->pid() == pid) ready_attempt_->exited(status);
    else if (health_attempt_ && health_attempt_->pid() == pid) health_attempt_->exited(status);
}

bool ServiceChecks::runs_probe_commands() const {
    return spec_.ready.probe.kind == ProbeSpec::Kind::exec || spec_.health.probe.kind == ProbeSpec::Kind::exec;
}

const SpawnRequest& ServiceChecks::like_for_probes() {
    static const SpawnRequest kNothing;  // a tcp, http or log probe reads nothing of it
    if (!probe_like_ && runs_probe_commands() && hooks_.probe_like) probe_like_ = hooks_.probe_like();
    return probe_like_ ? *probe_like_ : kNothing;
}

// ---- readiness ---------------------------------------------------------------

void ServiceChecks::start_ready_probe() {
    if (!waiting_ready_) return;
    ready_attempt_ = std::make_unique<ProbeAttempt>(loop_, clock_, host_, spec_.ready.probe, like_for_probes(),
                                                    [this](const ProbeResult& result) {
        if (result.ok) {
            announce_ready(("check passed: " + result.output).c_str());
            return;
        }
        spdlog::debug("{}: not ready yet: {}", spec_.name, result.output);
        if (waiting_ready_) ready_timer_->arm(spec_.ready.probe.interval);
    });
    if (pid_t pid = ready_attempt_->pid()) hooks_.track_probe(pid);
}

void ServiceChecks::on_ready_pipe() {
    // Large reads, a few per wakeup, and a bound on the whole: a writer that
    // never writes a newline neither holds the loop nor keeps tend reading.
    static char buffer[64 * 1024];  // one for every service: the loop runs one callback at a time
    for (int i = 0; i < kReadyReadsPerWakeup; ++i) {
        ssize_t n = read(ready_read_.get(), buffer, sizeof buffer);
        if (n > 0) {
            if (std::memchr(buffer, '\n', static_cast<std::size_t>(n))) {
                announce_ready("a newline on its readiness fd");
                return;
            }
            ready_pipe_bytes_ += static_cast<std::size_t>(n);
            if (ready_pipe_bytes_ >= kMaxReadyFdBytes) {
                spdlog::warn("{}: {} bytes on its readiness fd without a newline; no longer read (it cannot become "
                             "ready through it)",
                             spec_.name, ready_pipe_bytes_);
                ready_pipe_watch_.reset();
                ready_read_.reset();
                return;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        // End of file: every holder closed it without a newline; it will never say ready.
        ready_pipe_watch_.reset();
        return;
    }
}

// ---- sd_notify ---------------------------------------------------------------

void ServiceChecks::on_notify() {
    try {
        // A bounded batch: a flood shares the loop (what is left wakes it again).
        for (int i = 0; i < kNotifyPerWakeup; ++i) {
            auto message = notify_->receive();
            if (!message) return;
            handle_notify(*message);
        }
    } catch (const std::system_error& e) {
        warn_notify(e.what());
    }
}

void ServiceChecks::warn_notify(const std::string& what) {
    if (notify_warnings_.admit(clock_.now())) {
        report_suppressed();  // the last window's count, if its timer has not told it yet
        warning_timer_->disarm();
        spdlog::warn("{}: {}", spec_.name, what);
        return;
    }
    if (!warning_timer_->armed())
        warning_timer_->arm(std::chrono::duration_cast<Duration>(notify_warnings_.window_end() - clock_.now()));
}

void ServiceChecks::report_suppressed() {
    if (std::size_t n = notify_warnings_.take_suppressed())
        spdlog::warn("{}: {} more notify warning(s) suppressed in the last {}", spec_.name, n,
                     format_duration(notify_warnings_.window()));
}

void ServiceChecks::handle_notify(const NotifyMessage& m) {
    if (main_pid_ == 0) return;  // from a process of an earlier run
    const bool from_main = m.sender == main_pid_ || (notify_main_pid_ > 0 && m.sender == notify_main_pid_);
    if (!from_main && !spec_.ready.notify_all) {
        warn_notify("notify message from pid " + std::to_string(m.sender) + ", not its main process " +
                    std::to_string(main_pid_) + ", ignored (notify_access: all accepts its other processes)");
        return;
    }
    // `all` means the service's own processes, as systemd means its cgroup's:
    // another service of the same user must not make this one ready.
    if (!from_main && !belongs_to(m.sender, main_pid_, leads_session_)) {
        warn_notify("notify message from pid " + std::to_string(m.sender) +
                    ", not one of its processes (or gone before it was read), ignored");
        return;
    }
    if (m.size > kMaxNotifyDatagram)
        warn_notify("notify message of " + std::to_string(m.size) + " bytes cut to " +
                    std::to_string(kMaxNotifyDatagram));
    const auto& f = m.fields;
    if (auto it = f.find("MAINPID"); it != f.end())
        if (auto pid = number_field(it->second)) {
            // As systemd takes it only within the unit's cgroup: a main pid
            // named outside the service (another service's, or 1) would let
            // that process send READY=1 or WATCHDOG=trigger for this one.
            const auto named = static_cast<pid_t>(*pid);
            if (named == main_pid_ || belongs_to(named, main_pid_, leads_session_)) notify_main_pid_ = named;
            else warn_notify("MAINPID=" + it->second + " is not one of its processes, ignored");
        }
    if (auto it = f.find("STATUS"); it != f.end()) {
        status_text_ = trim_probe_output(it->second);
        hooks_.changed();
    }
    if (auto it = f.find("EXTEND_TIMEOUT_USEC"); it != f.end() && waiting_ready_)
        if (auto usec = number_field(it->second)) hooks_.extend_ready(from_usec(*usec));
    if (f.contains("RELOADING") && f.at("RELOADING") == "1") spdlog::info("{}: reloading", spec_.name);
    if (f.contains("STOPPING") && f.at("STOPPING") == "1") spdlog::info("{}: stopping", spec_.name);
    if (auto it = f.find("WATCHDOG"); it != f.end() && spec_.ready.watchdog.count() > 0) {
        if (it->second == "trigger") hooks_.emit({EventKind::unhealthy, {}, "it asked for its watchdog (WATCHDOG=trigger)"});
        else if (it->second == "1" && watchdog_timer_->armed())
            watchdog_timer_->arm(spec_.ready.watchdog);
    }
    if (f.contains("READY") && f.at("READY") == "1") announce_ready("READY=1");
}

void ServiceChecks::on_watchdog() {
    hooks_.emit({EventKind::unhealthy, {}, "no WATCHDOG=1 within " + format_duration(spec_.ready.watchdog)});
}

// ---- health ------------------------------------------------------------------

void ServiceChecks::update_health(const HealthSpec& health) {
    if (health == spec_.health) return;
    spec_.health = health;
    health_attempt_.reset();
    health_timer_->disarm();
    // A removed check's verdict means nothing now; a changed one is judged
    // afresh: the old check's pass says nothing about the new.
    if (!running_ && spec_.health.enabled()) return;  // the next run starts the new check
    health_ = {};
    if (!running_) return;
    if (!spec_.health.enabled()) {
        spdlog::info("{}: health check removed", spec_.name);
        return;
    }
    spdlog::info("{}: health check replaced: the new one runs now", spec_.name);
    running_since_ = clock_.now();  // its start_period counts from now
    health_.verdict = HealthState::Verdict::unknown;
    start_health_probe();
}

void ServiceChecks::start_health_probe() {
    health_attempt_ = std::make_unique<ProbeAttempt>(loop_, clock_, host_, spec_.health.probe, like_for_probes(),
                                                     [this](const ProbeResult& result) { on_health_result(result); });
    if (pid_t pid = health_attempt_->pid()) hooks_.track_probe(pid);
}

void ServiceChecks::on_health_result(const ProbeResult& result) {
    auto now = clock_.now();
    health_.last_output = result.output;
    health_.last_took = result.took;
    health_.last_at = now;
    const auto before = health_.verdict;
    if (result.ok) {
        health_.failures = 0;
        health_.verdict = HealthState::Verdict::healthy;
        health_.passed_once = true;
    } else if (now - running_since_ >= spec_.health.start_period) {
        ++health_.failures;
        spdlog::warn("{}: health check failed ({} of {}): {}", spec_.name, health_.failures, spec_.health.retries,
                     result.output);
        if (health_.failures >= spec_.health.retries) health_.verdict = HealthState::Verdict::unhealthy;
    }
    if (health_.verdict != before) {
        if (health_.verdict == HealthState::Verdict::healthy) spdlog::info("{}: healthy", spec_.name);
        hooks_.changed();
    }
    if (health_.verdict == HealthState::Verdict::unhealthy) {
        // The restart ends these checks; the next run starts them afresh.
        hooks_.emit({EventKind::unhealthy, {}, "health check failed " + std::to_string(health_.failures) +
                                                   " times: " + result.output});
        return;
    }
    // Compose's start_interval: quicker checks while a slow starter may still come up.
    const bool starting = !health_.passed_once && now - running_since_ < spec_.health.start_period;
    const Duration start_interval = spec_.health.start_interval;
    health_timer_->arm(starting && start_interval.count() > 0 ? start_interval : spec_.health.probe.interval);
}

}  // namespace tend
