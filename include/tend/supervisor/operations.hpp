// What an operator can ask of tend, apart from any wire format: typed results
// and one-line errors, services instead of names. The JSON control handler is
// one front end over it; another (an XML-RPC endpoint, an HTTP probe) can be
// written against the same calls.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "tend/process/exit_status.hpp"
#include "tend/supervisor/supervisor.hpp"

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
};

struct HealthReport {
    std::vector<std::string> problems;  // "web is backoff", "api is blocked (waiting for db: fatal)"
    bool healthy() const { return problems.empty(); }
};

class Operations {
public:
    explicit Operations(Supervisor& supervisor) : supervisor_(supervisor) {}

    ServiceStatus status(const Service& service) const;
    HealthReport health() const;

    // Carried out at once; "" or why not. Completion is checked with the outcomes below.
    std::string start(Service& service) { return supervisor_.start(service); }
    std::string stop(Service& service) { return supervisor_.stop(service); }
    std::string restart(Service& service) { return supervisor_.restart(service); }
    std::string signal(Service& service, int sig) { return supervisor_.signal(service, sig); }

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
    Supervisor& supervisor_;
};

}  // namespace tend
