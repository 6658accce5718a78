// How a service says it is ready (`ready:`) and how it is checked while it
// runs (`health:`), as written in tend.yaml.
#pragma once

#include <string>
#include <vector>

#include "tend/util/duration.hpp"

namespace tend {

using namespace std::chrono_literals;

// One check: a command, a TCP connect, an HTTP GET, or (readiness only) a
// line of the service's own output.
struct ProbeSpec {
    enum class Kind { none, exec, tcp, http, log };
    Kind kind = Kind::none;
    std::vector<std::string> argv;  // exec: exit 0 passes
    std::string host;               // tcp, http
    int port = 0;                   // tcp, http
    std::string path = "/";         // http: 2xx and 3xx pass
    std::string pattern;            // log: an RE2 pattern searched in each line
    Duration interval = 1s;
    Duration timeout = 5s;  // one attempt; a command still running then is killed

    bool operator==(const ProbeSpec&) const = default;
};

inline const std::string kProbeKindNames[] = {"none", "exec", "tcp", "http", "log"};

enum class NotifyKind { none, systemd, fd };
inline const std::string kNotifyKindNames[] = {"none", "systemd", "fd"};

struct ReadySpec {
    NotifyKind notify = NotifyKind::none;
    int fd = 3;                  // notify: fd: the write end of the pipe, in the service
    bool notify_all = false;     // notify_access: all (its own processes may report: group, session, descendants)
    Duration watchdog{0};        // notify: systemd: restart when WATCHDOG=1 stops for this long; 0: off
    ProbeSpec probe;
    // Not ready within it: a failed start; 0: wait as long as it takes. systemd's
    // default start timeout: a check that can never pass must not hold a
    // service (and its dependants) in `starting` for ever, unsaid.
    Duration timeout = 90s;

    // Readiness comes from the service rather than from min_uptime.
    bool external() const { return notify != NotifyKind::none || probe.kind != ProbeSpec::Kind::none; }
    bool operator==(const ReadySpec&) const = default;
};

struct HealthSpec {
    ProbeSpec probe;       // kind none: no health check
    int retries = 3;       // consecutive failures that make it unhealthy (and restarted)
    Duration start_period{0};  // failures in this time after start do not count
    Duration start_interval{0};  // between checks in start_period until one passes; 0: interval (compose's start_interval)

    bool enabled() const { return probe.kind != ProbeSpec::Kind::none; }
    bool operator==(const HealthSpec&) const = default;
};

}  // namespace tend
