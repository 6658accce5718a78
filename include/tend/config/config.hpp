// The effective configuration: settings plus every service, with defaults
// filled in and names resolved. What the loader produces and the supervisor runs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tend/config/probe_spec.hpp"
#include "tend/process/credentials.hpp"
#include "tend/process/resource_limits.hpp"
#include "tend/util/cron_schedule.hpp"
#include "tend/util/duration.hpp"
#include "tend/util/optional_box.hpp"

namespace tend {

using namespace std::chrono_literals;

enum class LogFormat { text, json };
enum class RestartPolicy { always, on_failure, never };
enum class KillMode { group, process };
enum class OutputMode { prefix, inherit, discard };
// What a scheduled job's due run does while the last one still runs (Kubernetes CronJob's words).
enum class Concurrency { forbid, replace };

// Each enum's names as written in tend.yaml, indexed by value: one table for
// parsing and printing.
inline const std::string kRestartPolicyNames[] = {"always", "on-failure", "never"};
inline const std::string kKillModeNames[] = {"group", "process"};
inline const std::string kConcurrencyNames[] = {"forbid", "replace"};
inline const std::string kOutputModeNames[] = {"prefix", "inherit", "null"};
// What a dependant waits for: forked and past min_uptime; ready by its
// readiness check; healthy by its health check once; a one-shot that succeeded.
enum class DependencyCondition { started, ready, healthy, completed };
inline const std::string kDependencyConditionNames[] = {"started", "ready", "healthy", "completed"};
// tend's names and docker-compose's (service_started, service_healthy, service_completed_successfully).
std::optional<DependencyCondition> parse_dependency_condition(std::string_view name);
const char* to_string(DependencyCondition condition);
enum class ServiceType { simple, oneshot };
inline const std::string kServiceTypeNames[] = {"simple", "oneshot"};
enum class OnFatal { stay, shutdown };
inline const std::string kOnFatalNames[] = {"stay", "shutdown"};

struct SourceLocation {
    std::string file;
    int line = 0;  // 1-based; 0 when unknown
    int column = 0;
    std::string to_string() const;
};

// What fits in sockaddr_un's sun_path with its terminating NUL.
inline constexpr std::size_t kMaxSocketPath = 107;

// $TEND_SOCKET if set (the variable tendctl reads too), else /run/tend.sock.
std::string default_control_socket();

// A file of KEY=VALUE lines (compose's env file), by absolute path.
struct EnvFileRef {
    std::string path;
    bool required = true;  // false: a missing file is skipped
    bool operator==(const EnvFileRef&) const = default;
};

// settings.http: the HTTP front's listener (docs/control-protocol.md, HTTP).
struct HttpSettings {
    std::string listen;         // "HOST:PORT" or "unix:/PATH", as written
    std::string user;           // basic auth; "" with password_file "" means none
    std::string password_file;  // absolute; read when the listener is made
    bool operator==(const HttpSettings&) const = default;
};

struct Settings {
    std::string control_socket = default_control_socket();
    std::optional<std::string> control_group;
    Duration shutdown_timeout = 30s;
    Duration kill_grace = 3s;
    LogFormat log_format = LogFormat::text;
    std::string log_level = "info";
    std::vector<std::string> include;
    SourceLocation include_at;  // where `include:` was written, for errors about the files it names
    bool exit_on_any_fatal = false;  // exit_when: {any_fatal: true}
    std::vector<EnvFileRef> env_files;  // values for ${VAR}, under tend's own environment
    std::optional<HttpSettings> http;   // none: no HTTP listener
};

struct Backoff {
    Duration initial = 200ms;
    Duration max = 30s;
    double factor = 2.0;
};

struct Dependency {
    std::string name;
    DependencyCondition condition = DependencyCondition::started;
    bool required = true;  // false: a dependency that gave up does not block the dependant
    SourceLocation where;
    bool restart = false;  // compose's restart: true: an operator's restart of it, or a reload replacing it, restarts the dependant too
    std::string of_set;    // written as a `replicas:` set's name: one of the dependencies on each of its instances
};

inline constexpr Duration kDefaultMinUptime = 1s;

// How a service is restarted and stopped: the part of its definition that
// drives its state machine, with its defaults given once, here. The machine's
// own policy extends it; a ServiceSpec is one.
struct RunPolicy {
    RestartPolicy restart = RestartPolicy::on_failure;
    std::vector<int> success_exit_codes{0};
    int max_restarts = 5;  // -1: unlimited
    // 0: max_restarts counts consecutive failed starts; else failures of any
    // kind within this window (a service that crashes after min_uptime too).
    Duration restart_window{0};
    Backoff backoff;
    int stop_signal = 15;  // SIGTERM
    Duration stop_timeout = 10s;
    KillMode kill_mode = KillMode::group;
};

// `user:` and `group:` as written, with where: resolved into credentials once
// the whole config is read (config/config_loader), not while parsing it.
struct CredentialNames {
    std::optional<std::string> user, group;
    SourceLocation user_at, group_at;
};

// `schedule:` as written and as parsed: two are the same when written the same.
struct JobSchedule {
    std::string text;
    CronSchedule when;
    bool operator==(const JobSchedule& other) const { return text == other.text; }
};

struct ServiceSpec : RunPolicy {
    std::string name;
    SourceLocation where;
    std::vector<std::string> argv;  // a string command becomes {"/bin/sh", "-c", STRING}
    // The rarely set parts are boxed: 8 bytes each when unset, not their 72 to 168.
    OptionalBox<CredentialNames> identity;  // as written
    OptionalBox<Credentials> credentials;   // resolved from `identity`
    std::string working_dir;
    std::map<std::string, std::string> environment;
    std::vector<EnvFileRef> env_files;  // read at each start; `environment` wins over them
    int umask = -1;                     // -1: tend's own
    std::vector<ResourceLimit> limits;  // setrlimit, in the order written
    bool no_new_privileges = false;
    bool autostart = true;
    Duration min_uptime = kDefaultMinUptime;
    std::vector<Dependency> depends_on;
    bool critical = false;
    OutputMode output = OutputMode::prefix;
    std::string log_file;                       // empty: none
    std::uint64_t log_max_size = 10 * 1024 * 1024;  // rotate when the next write would pass it
    int log_keep = 3;                           // rotated files kept: PATH.1 ... PATH.N
    int log_buffer_lines = 1000;                // last lines kept in memory for `tendctl logs`
    std::vector<int> forward_signals;           // of SIGUSR1, SIGUSR2, SIGWINCH: passed on to its process group
    ServiceType type = ServiceType::simple;
    ReadySpec ready;
    HealthSpec health;
    OnFatal on_fatal = OnFatal::stay;
    std::vector<std::string> profiles;  // compose's: started only when one is active (TEND_PROFILES, --profile)
    OptionalBox<JobSchedule> schedule;  // a scheduled job: a one-shot run at each due time
    Concurrency concurrency = Concurrency::forbid;
    std::optional<Duration> timeout;  // a run (one-shot or scheduled) still going past it is stopped
    std::string replica_of;  // an instance of `replicas:`: its set's name (config/replicas.hpp); else empty
    int replica = -1;        // its index in that set, 0-based
};

struct ReplicaRecipe;  // config/replicas.hpp: a set's definition as written, to make more instances of it

// A `replicas:` set: how many instances it has now (0 allowed), what makes more
// (`tendctl scale`), and the services whose depends_on names it.
struct ReplicaSet {
    int count = 0;
    std::shared_ptr<const ReplicaRecipe> recipe;
    std::vector<std::pair<std::string, Dependency>> dependants;  // (service, its dependency as written)
};

struct Config {
    std::string file;
    Settings settings;
    std::vector<ServiceSpec> services;  // in the order they were written
    bool empty = false;                 // the main file holds nothing at all (not even `services: {}`)
    // Defined, but with errors, so not in `services`: a depends_on naming one
    // is not also reported as "no such service".
    std::vector<std::string> rejected_services;
    // Each `replicas:` set by name (config/replicas.hpp): its instances are in `services`.
    std::map<std::string, ReplicaSet> replica_sets;

    const ServiceSpec* find(const std::string& name) const;
};

const char* to_string(RestartPolicy policy);
const char* to_string(KillMode mode);
const char* to_string(OutputMode mode);

}  // namespace tend
