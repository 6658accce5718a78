#include "tend/cli/key_descriptions.hpp"

#include <algorithm>
#include <iterator>

namespace tend {
namespace {

// Where docs/configuration.md has a table row for a key, its text here is that row's
// first sentence without markdown (key_descriptions_test holds the two together).
const KeyDescription kDescriptions[] = {
    {"services", "command", "an argv list ([nginx, -g, 'daemon off;']), or a string run as /bin/sh -c STRING."},
    {"services", "type", "simple: a long-running service."},
    {"services", "user", "user name or uid, or compose's \"USER:GROUP\" (names or ids; then no group:)."},
    {"services", "group", "group name or gid (same range as uids); replaces the primary group and the supplementary groups."},
    {"services", "working_dir", "the service's current directory; a relative command (./app) or a relative PATH entry is found from there, where it runs"},
    {"services", "environment", "a map ({PORT: \"8080\"}) or docker-compose's [PORT=8080] list, merged over tend's own environment and the env_file variables."},
    {"services", "env_file", "a file of KEY=VALUE lines (see Env files), a list of them (a later file wins), or compose's long form [{path: FILE, required: false}]."},
    {"services", "umask", "the file-mode creation mask, octal as in systemd's UMask=: \"0027\", 027 and 27 all mean 0027."},
    {"services", "limits", "resource limits (setrlimit), as systemd's Limit*=."},
    {"services", "no_new_privileges", "true: the service and everything it runs can never gain privileges (the kernel's PR_SET_NO_NEW_PRIVS)."},
    {"services", "autostart", "false: defined, but started only by an operator request"},
    {"services", "restart", "when the service is started again after it exits: always, on-failure or never."},
    {"services", "success_exit_codes", "exit codes that count as success for on-failure"},
    {"services", "min_uptime", "how long the service must run to count as started (running)."},
    {"services", "max_restarts", "consecutive failed starts allowed before the service goes fatal; -1 never gives up."},
    {"services", "backoff", "the delay before the n-th consecutive restart is initial * factor^(n-1), at most max."},
    {"services", "stop_signal", "the signal that asks the service to stop"},
    {"services", "stop_timeout", "how long after stop_signal before SIGKILL to the whole process group"},
    {"services", "kill_mode", "who gets stop_signal: the whole process group (group) or the main process only (process)."},
    {"services", "depends_on", "the services this one waits for, and what it waits for."},
    {"services", "critical", "when the service ends for good (exits with no restart due, or goes fatal), tend shuts down and exits with its status."},
    {"services", "on_fatal", "shutdown: when this service gives up (fatal/failed), tend shuts down and exits 1"},
    {"services", "ready", "how the service says it is ready; see \"Readiness\" below"},
    {"services", "health", "a liveness check while it runs; see \"Health\" below"},
    {"services", "output", "prefix: stdout and stderr are captured and each line goes to tend's stdout as NAME | line (stderr: NAME ! line; see docs/operations.md, Service output)."},
    {"services", "log_file", "an absolute path: the service's lines (stdout and stderr, unlabelled) are appended there too."},
    {"services", "log_max_size", "rotate log_file before a write would pass this size (512K, 10MiB, 1G or bytes; K/M/G count in 1024s; at least 4KiB)."},
    {"services", "log_keep", "rotated files kept: PATH.1 (newest) … PATH.N; 0 truncates instead"},
    {"services", "log_buffer_lines", "last lines kept in memory for tendctl logs (also at most 4 MiB of text per service); 0 keeps none"},
    {"services", "forward_signals", "a list of USR1, USR2, WINCH: when tend receives one of these, it passes it on to this service's process group (nginx, for one, reopens its logs on USR1)."},
    {"services", "schedule", "runs the service as a scheduled job: a one-shot run at each time the cron expression (or @hourly, @every 90s ...) gives; see \"Scheduled jobs\" below."},
    {"services", "concurrency", "what a scheduled job's due run does while the last run still goes: forbid skips it (with a log line), replace stops the old run and starts a new one."},
    {"services", "timeout", "how long a run of a one-shot or scheduled job may take: past it the run is stopped (stop_signal, then SIGKILL after stop_timeout) and counts as failed."},
    {"services", "replicas", "how many instances of the service run, named NAME-0 … NAME-(N-1), each with its own restarts."},
    {"services", "deploy", "compose's deploy: only deploy.replicas is taken (the same as replicas)."},
    {"services", "healthcheck", "compose's spelling of health: test, interval, timeout, retries, start_period, start_interval, disable, with docker's defaults."},
    {"services", "entrypoint", "compose's entrypoint: arguments put before command's (a string is split into words, as compose does)."},
    {"services", "stop_grace_period", "compose's spelling of stop_timeout."},
    {"services", "ulimits", "compose's spelling of limits."},
    {"services", "profiles", "compose's profiles: the service starts only when one of them is active (tend --profile NAME, or TEND_PROFILES=a,b)."},
    {"ready", "notify", "how the service itself says it is ready: systemd (sd_notify's READY=1 on $NOTIFY_SOCKET) or fd (s6's notification-fd)."},
    {"ready", "fd", "with notify: fd, the file descriptor the service gets the pipe's write end as (default 3); a newline written to it means ready."},
    {"ready", "notify_access", "main (default): only messages whose sender (the kernel's SCM_CREDENTIALS) is the main process count; others are logged and ignored."},
    {"ready", "watchdog", "with notify: systemd, how often a ready service must send WATCHDOG=1."},
    {"ready", "exec", "a command (argv list or shell string) that says ready by exiting 0."},
    {"ready", "tcp", "a TCP connect succeeds (an IP address or localhost: a name lookup could stall tend)"},
    {"ready", "http", "an HTTP GET of the URL that answers 2xx or 3xx."},
    {"ready", "log", "a regular expression that a line of the service's captured output matches."},
    {"ready", "interval", "1s: between attempts of exec, tcp, http (the first is made at once)"},
    {"ready", "probe_timeout", "5s: one attempt"},
    {"ready", "timeout", "how long the service may take to become ready (default 90s, systemd's start timeout)."},
    {"health", "exec", "a command (argv list, compose's [CMD, ...] or [CMD-SHELL, STRING], or a shell string) that passes by exiting 0."},
    {"health", "tcp", "a TCP connect to ADDRESS:PORT that passes when it succeeds."},
    {"health", "http", "an HTTP GET of the URL that passes when it answers 2xx or 3xx."},
    {"health", "interval", "time between checks (default 10s)."},
    {"health", "timeout", "how long one check may take (default 5s)."},
    {"health", "retries", "consecutive failed checks that make the service unhealthy, stopped and restarted as a failure (default 3)."},
    {"health", "start_period", "time after the service became ready in which failed checks do not count (default 0)."},
    {"health", "start_interval", "the interval during start_period until a check first passes (default: interval)."},
    {"healthcheck", "test", "the check: [CMD, prog, args...], [CMD-SHELL, STRING], [NONE] (no check), or a shell string."},
    {"healthcheck", "interval", "time between checks (docker's default 30s)."},
    {"healthcheck", "timeout", "how long one check may take (docker's default 30s)."},
    {"healthcheck", "retries", "consecutive failed checks that make the service unhealthy (docker's default 3)."},
    {"healthcheck", "start_period", "time after the start in which failed checks do not count (docker's default 0s)."},
    {"healthcheck", "start_interval", "the interval during start_period until a check first passes (docker's default 5s)."},
    {"healthcheck", "disable", "true: no health check, as test: [NONE]."},
};

}  // namespace

std::span<const KeyDescription> key_descriptions() { return kDescriptions; }

std::string_view key_description(std::string_view table, std::string_view key) {
    auto it = std::find_if(std::begin(kDescriptions), std::end(kDescriptions),
                           [&](const KeyDescription& d) { return d.table == table && d.key == key; });
    return it == std::end(kDescriptions) ? std::string_view() : it->text;
}

}  // namespace tend
