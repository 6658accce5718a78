// What a service says about itself, and what tend checks of it, while it
// runs: its readiness (an sd_notify socket, an s6-style readiness fd, or a
// probe: exec, tcp, http, a line of its output), its sd_notify status and
// watchdog, and its health check with retries. Each is an event source: it
// reports `ready` or `unhealthy` through `emit` and never blocks the loop.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tend/config/config.hpp"
#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/output/output_router.hpp"
#include "tend/process/notify_socket.hpp"
#include "tend/process/process_host.hpp"
#include "tend/service/service_machine.hpp"
#include "tend/supervisor/probe_attempt.hpp"
#include "tend/util/listener_list.hpp"
#include "tend/util/pattern.hpp"
#include "tend/util/time_budget.hpp"
#include "tend/util/rate_limiter.hpp"

namespace tend {

struct HealthState {
    enum class Verdict { none, unknown, healthy, unhealthy };
    Verdict verdict = Verdict::none;  // none: no health check, or the service is not running
    int failures = 0;                 // consecutive
    bool passed_once = false;         // in this run: what `depends_on: {x: healthy}` waits for
    std::string last_output;
    Duration last_took{};
    std::chrono::steady_clock::time_point last_at{};
};
const char* to_string(HealthState::Verdict verdict);

// How the checks reach the rest of tend.
struct CheckHooks {
    std::function<void(const ServiceEvent&)> emit;     // ready, unhealthy
    std::function<void(pid_t)> track_probe;            // a probe command was spawned: register its pid
    std::function<void(Duration)> extend_ready;        // EXTEND_TIMEOUT_USEC: more time to become ready
    std::function<void()> changed;                     // status text or health changed
    // What an exec probe runs like, made afresh: for a command health check a
    // reload adds to a running service that had none (nothing kept from its spawn).
    std::function<std::optional<SpawnRequest>()> probe_like;
};

class ServiceChecks {
public:
    // `notify_dir`: where the service's notify socket goes (as NAME there).
    // Whether the spec has anything to check (readiness beyond min_uptime, or
    // health): a service without either gets no ServiceChecks (1.3 KiB each).
    static bool needed_for(const ServiceSpec& spec) { return spec.ready.external() || spec.health.enabled(); }

    ServiceChecks(EventLoop& loop, Clock& clock, ProcessHost& host, OutputRouter& output, const ServiceSpec& spec,
                  std::string notify_dir, CheckHooks hooks);
    ~ServiceChecks();
    ServiceChecks(const ServiceChecks&) = delete;
    ServiceChecks& operator=(const ServiceChecks&) = delete;

    // Before a spawn: $NOTIFY_SOCKET (and $WATCHDOG_USEC), or the readiness
    // pipe's write end at fd N. Throws std::system_error naming what failed.
    void prepare(SpawnRequest& request);
    // The main process runs: readiness checks begin. `like` is how probe commands run.
    void spawned(pid_t main, const SpawnRequest& like);
    // It is ready (running): readiness checks end, the health check and watchdog begin.
    void running();
    // It is no longer running (stopping, exited, backoff...): every check stops.
    void ended();
    // A reload changed `health`: a running service is checked by the new one
    // from now on (its start_period from now), or no longer when it was removed.
    void update_health(const HealthSpec& health);
    // A reaped pid that belongs to one of this service's probes.
    void probe_exited(pid_t pid, const ExitStatus& status);

    const HealthState& health() const { return health_; }
    const std::string& status_text() const { return status_text_; }  // the last STATUS=

private:
    void search_for_ready(const LineView& line);
    void on_notify();
    void handle_notify(const NotifyMessage& message);
    void warn_notify(const std::string& what);  // rate-limited: a service can provoke it at will
    void report_suppressed();
    void on_ready_pipe();
    bool runs_probe_commands() const;
    const SpawnRequest& like_for_probes();
    void start_ready_probe();
    void start_health_probe();
    void on_health_result(const ProbeResult& result);
    void on_watchdog();
    void announce_ready(const char* how);
    void stop_readiness();  // every readiness source of this run, once ready or ended

    EventLoop& loop_;
    Clock& clock_;
    ProcessHost& host_;
    OutputRouter& output_;
    // What of its spec the checks read (not a copy of all of it: a service's
    // spec is some 1.5 KB with its strings, and it has one already).
    struct CheckedSpec {
        std::string name;
        std::optional<Credentials> credentials;
        ReadySpec ready;
        HealthSpec health;  // changes in place on reload
    };
    CheckedSpec spec_;
    std::string notify_dir_;
    CheckHooks hooks_;

    static constexpr int kNotifyPerWakeup = 64;
    static constexpr int kReadyReadsPerWakeup = 4;
    static constexpr std::size_t kMaxReadyFdBytes = 64 * 1024;  // a readiness line is a few bytes

    std::unique_ptr<NotifySocket> notify_;
    EventSource notify_watch_;
    RateLimiter notify_warnings_{std::chrono::seconds(10)};
    std::unique_ptr<Timer> warning_timer_;  // reports what the window suppressed
    UniqueFd ready_read_;   // notify: fd
    std::size_t ready_pipe_bytes_ = 0;  // read from it in this run, without a newline
    UniqueFd ready_write_;  // held until the spawn has dup'ed it into the child
    EventSource ready_pipe_watch_;
    std::optional<Pattern> ready_pattern_;
    TimeBudget ready_search_budget_{std::chrono::milliseconds(100), std::chrono::milliseconds(10)};
    std::size_t ready_lines_skipped_ = 0;  // in this run: not searched, the budget being spent
    Subscription ready_lines_;
    EventSource ready_post_;  // a matching log line: ready, from the loop rather than inside the output's read

    pid_t main_pid_ = 0;
    bool leads_session_ = false;  // its main process leads its own session (not in `tend --` mode)
    pid_t notify_main_pid_ = 0;  // MAINPID=
    bool waiting_ready_ = false;
    bool running_ = false;  // between running() and ended(): its health check runs
    // What its exec probes run like (its environment, user, directory, output),
    // as it was spawned: kept only while it has an exec probe, since it holds the
    // whole environment (some 3 KB of a service's heap otherwise).
    std::optional<SpawnRequest> probe_like_;
    std::unique_ptr<ProbeAttempt> ready_attempt_;
    std::unique_ptr<ProbeAttempt> health_attempt_;
    std::unique_ptr<Timer> ready_timer_;   // the next readiness attempt
    std::unique_ptr<Timer> health_timer_;  // the next health attempt
    std::unique_ptr<Timer> watchdog_timer_;
    std::chrono::steady_clock::time_point running_since_{};

    HealthState health_;
    std::string status_text_;
};

// Where the notify sockets of a tend whose control socket is at `control_socket` go.
std::string notify_dir_for(const std::string& control_socket);

}  // namespace tend
