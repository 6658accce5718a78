// What an operator can ask of tend, apart from any wire format: services
// looked up by name, typed results, refusals and one-line errors, and the
// waits for an operation's completion. The JSON control handler is one front
// end over it; another (an XML-RPC endpoint, an HTTP probe) decodes its
// requests, calls the same members and encodes what they return.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <variant>
#include <vector>

#include "tend/event/event_loop.hpp"
#include "tend/output/log_line.hpp"
#include "tend/process/exit_status.hpp"
#include "tend/process/process_scanner.hpp"
#include "tend/process/process_usage.hpp"
#include "tend/supervisor/supervisor.hpp"
#include "tend/util/listener_list.hpp"

namespace tend {

struct ServiceStatus {
    std::string name;
    std::string state;  // the machine's state, or "blocked" while a dependency holds it back
    std::string blocked_reason;
    std::string waiting;  // "waiting for redis: not ready yet (12s)": a dependency has not met its condition yet
    std::optional<pid_t> pid;
    std::optional<double> uptime_seconds;
    int restarts = 0;
    std::optional<ExitStatus> last_exit;
    std::string fatal_reason;
    bool stopped_by_operator = false;
    Want want = Want::down;
    std::string status_text;  // what the service said with sd_notify STATUS=
    // Its health check: "" when it has none or is not running; else starting, healthy or unhealthy.
    std::string health;
    int health_failures = 0;  // consecutive
    int health_retries = 0;
    std::string health_output;  // the last check's, trimmed
    std::optional<double> health_checked_ago;  // seconds
    std::optional<double> health_took;         // seconds
    // A scheduled job's next and last runs; a one-shot with a timeout has its last run only.
    std::optional<JobTimes> job;
    std::optional<double> next_run_in;  // seconds until the next run
};

struct HealthReport {
    std::vector<std::string> problems;  // "web is backoff", "api is blocked (waiting for db: fatal)"
    bool healthy() const { return problems.empty(); }
};

// What /metrics says of one service.
struct ServiceMetrics {
    ServiceStatus status;
    std::string group;  // its replicas: set's name, else its own name (supervisord's process group)
    bool ready = false;                     // running (ready, where readiness is configured), or a completed one-shot
    std::optional<double> start_time;       // of its current process, in seconds since the epoch
    ProcessUsage usage;                     // of its process group, now
    // Of its stdout and stderr, when tend captures its output (output: prefix, or a log_file).
    std::optional<std::array<OutputCounts, 2>> output;
};

// The front ends that count their requests.
enum class Front { control, http };
inline constexpr const char* kFrontNames[] = {"control", "http"};

// What /metrics says of tend itself.
struct TendMetrics {
    ProcessUsage usage;
    std::size_t open_fds = 0;
    std::size_t orphans_reaped = 0;
    std::uint64_t requests[2] = {0, 0};  // by Front
    double start_time = 0;               // seconds since the epoch
};

// Why a request was not carried out, in one line for the operator ("no such
// service: webb (did you mean web?)", "running services depend on it: web
// (...)"). A front end replies with what() as its error.
struct Refusal : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// How an operation that was waited for ended: `error` is "" when it did what
// was asked, else why not ("web: fatal: ...", "start timed out after 1m").
struct Outcome {
    std::string error;
    bool ok() const { return error.empty(); }
};
using Completion = std::function<void(const Outcome&)>;
// A reload's: `result` is what it changed (or would, on a dry run) when outcome.ok().
using ReloadCompletion = std::function<void(const Outcome& outcome, const ReloadOutcome& result)>;

// A scale carried out: the set, and its count before and after.
struct ScaleResult {
    std::string name;
    int from = 0;
    int to = 0;
};
using ScaleCompletion = std::function<void(const Outcome& outcome, const ScaleResult& result)>;

// A start, stop or restart carried out: what a wait for its completion needs.
struct LifecycleRequest {
    enum class Kind { start, stop, restart } kind;
    std::vector<Service*> services;  // a stop's include the dependants it took along
    TimePoint since;                 // when it was asked
};

// What `wait` waits for: a state, or a condition as depends_on has them (ready, healthy...).
using WaitTarget = std::variant<ServiceState, DependencyCondition>;

// What `tendctl events` streams: a service's state or health changed, or a reload ended.
struct OperatorEvent {
    std::string kind;     // "state", "health" or "reload"
    std::string service;  // "" for a reload
    std::string from, to;  // states, or health verdicts ("" when it had none)
    std::string reason;
};

// A kept line of output and the service it came from.
struct KeptLine {
    StoredLine line;
    const std::string* service;
    LineView view() const { return line.view(*service); }
};

class Operations {
public:
    // A wait that does not name its own timeout takes this long.
    static constexpr Duration kDefaultWaitTimeout = std::chrono::seconds(60);

    Operations(Supervisor& supervisor, EventLoop& loop);
    Operations(const Operations&) = delete;
    Operations& operator=(const Operations&) = delete;
    ~Operations();

    // The services `names` names, each once, in the order named; "all" (or,
    // when `empty_means_all`, no name) names every service. Every name is
    // checked first: an unknown one is refused, `all` beside it or not.
    std::vector<Service*> lookup(const std::vector<std::string>& names, bool empty_means_all) const;

    ServiceStatus status(const Service& service) const;
    // Status rows of the `replicas:` sets among `names` (every set when
    // `names` is empty or has "all") that have no instance: state "empty".
    std::vector<ServiceStatus> empty_sets(const std::vector<std::string>& names) const;
    HealthReport health() const;
    // The same for these services alone (/health/NAME).
    HealthReport health(const std::vector<Service*>& services) const;
    // What keeps tend from being ready: services it expects up that are not
    // running yet (health checks left to health()).
    HealthReport readiness() const;
    // Every service's figures, from one pass over /proc (its stat files kept open between scrapes); and tend's own.
    std::vector<ServiceMetrics> metrics();
    TendMetrics own_metrics() const;
    // A front end took a request.
    void count_request(Front front) { ++requests_[static_cast<int>(front)]; }
    std::optional<pid_t> main_pid(const Service& service) const;

    // Carried out at once, or refused (nothing done) with Refusal; a refusal
    // of the n-th service leaves the earlier ones done. `await` waits for them.
    LifecycleRequest start(std::vector<Service*> services);
    LifecycleRequest restart(std::vector<Service*> services);
    // Refused while running services not named depend on one of them, unless
    // `with_dependants`: they are then stopped too (first, by dependency order).
    LifecycleRequest stop(std::vector<Service*> services, bool with_dependants);
    // The services signalled; a failure is refused when only one was named, else that one is left out.
    std::vector<Service*> signal(const std::vector<Service*>& services, int sig);
    void shutdown(const std::string& why) { supervisor_.request_shutdown(why); }
    bool shutting_down() const { return supervisor_.shutting_down(); }
    // Told of each reload's settings change (before, after); returns a warning
    // for the reload's reply, or "". A front end that owns a socket moves it here.
    [[nodiscard]] Subscription add_settings_listener(Supervisor::SettingsListener listener) {
        return supervisor_.news().settings.add(std::move(listener));
    }

    // The waits. `done` is called exactly once: at once when the request is
    // already settled (the handle returned is then empty), else from the loop
    // when it settles or `timeout` passes, unless the handle is dropped first.
    // A start is done when each service runs (ready), or exited successfully;
    // a restart, with a process started since; a stop when each is down. A
    // stop's zero timeout means what its stops can take (stop_budget + 5s).
    [[nodiscard]] Subscription await(const LifecycleRequest& request, Duration timeout, Completion done);
    [[nodiscard]] Subscription wait_for(const std::vector<Service*>& services, WaitTarget target, Duration timeout,
                                        Completion done);
    // Re-reads the config and applies it (nothing of it when dry_run); done
    // once the read is over and, unless dry_run, the stops it made finished.
    [[nodiscard]] Subscription reload(bool dry_run, ReloadCompletion done);

    // `tendctl scale`: the `replicas:` set `name` at `count` instances (0 to
    // kMaxReplicas), new ones started, surplus ones stopped highest first,
    // the others untouched, until the next reload takes the config's count
    // again. Refused (Refusal, nothing done) for a name that is not a set,
    // a count out of range, during shutdown or while a reload stops services.
    // `done` once the surplus instances are down (the new ones are started, not waited for).
    [[nodiscard]] Subscription scale(const std::string& name, long long count, ScaleCompletion done);

    // The newest `wanted` kept lines of these services (all kept when
    // nullopt), interleaved by arrival, oldest first. With `named`, a service
    // whose output is not captured is refused rather than skipped.
    std::vector<KeptLine> logs(const std::vector<Service*>& services, std::optional<std::size_t> wanted,
                               bool named) const;
    // New lines of these services as they come; with `later_too`, of every
    // service, including those a reload adds later.
    [[nodiscard]] Subscription follow_logs(const std::vector<Service*>& services, bool later_too,
                                           std::function<void(const LineView&)> on_line);
    // Forgets the kept lines of these services (supervisord's clearProcessLogs);
    // their log files, followers and output counters are left alone.
    void clear_logs(const std::vector<Service*>& services);
    // tend's own log as kept in memory (own_log.hpp): what is kept, each line
    // from now on, and forgetting it.
    std::string own_log() const;
    [[nodiscard]] Subscription follow_own_log(std::function<void(std::string_view line)> on_line);
    void clear_own_log();
    // Each state change, health verdict change and finished reload from now
    // on, of every service (including those a reload adds), as it happens.
    [[nodiscard]] Subscription follow_events(std::function<void(const OperatorEvent&)> on_event);

    // Has the service come up since `since`? nullopt while still on its way,
    // "" once it has, else why it did not. `new_process` (a restart): only a
    // process started since counts; a start is done by one already running.
    std::optional<std::string> start_outcome(const Service& service, TimePoint since, bool new_process = true) const;
    // Services not among `services` that depend on one of them, directly or
    // through services that are down, and are up (not down, not stopping).
    std::vector<Service*> running_dependants(const std::vector<Service*>& services) const;
    // What a stop of these services can take: their stop timeouts, since dependency order can chain them.
    static Duration stop_budget(const std::vector<Service*>& services);

private:
    // A wait not settled yet: `check` returns the outcome's error text once settled.
    struct Pending {
        std::uint64_t id;
        std::function<std::optional<std::string>()> check;
        std::function<void(const std::string& error)> done;
        std::string timeout_message;
        std::unique_ptr<Timer> timer;
    };
    using PendingList = std::list<std::unique_ptr<Pending>>;

    Subscription pend(Duration timeout, std::string timeout_message, std::function<std::optional<std::string>()> check,
                      std::function<void(const std::string& error)> done);
    void check_pending();
    void on_timeout(Pending* pending);
    void refuse_during_shutdown() const;
    LifecycleRequest carry_out(LifecycleRequest::Kind kind, std::vector<Service*> services,
                               std::string (Supervisor::*act)(Service&));
    // Beyond the stops, what reading and checking the config may take (a
    // 200,000-key file takes about a second).
    static constexpr Duration kReloadReadBudget = std::chrono::seconds(30);
    HealthReport report(const std::vector<Service*>& services, bool health_checks) const;

    Supervisor& supervisor_;
    EventLoop& loop_;
    std::shared_ptr<PendingList> pending_ = std::make_shared<PendingList>();
    std::vector<std::unique_ptr<Pending>> expired_;  // timed out inside their own timer's callback; freed later
    std::uint64_t next_id_ = 1;
    std::uint64_t requests_[2] = {0, 0};  // by Front
    // Of tend (its Operations, made at start-up), in seconds since the epoch.
    double start_time_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    ProcessScanner scanner_;
    EventSource recheck_;
    EventSource free_expired_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // what a reload still reading checks
    std::vector<Subscription> subscriptions_;  // last: unsubscribed before anything they call goes
};

}  // namespace tend
