#include "tend/config/service_keys.hpp"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <set>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tend/config/compose_keys.hpp"
#include "tend/config/env_file_parser.hpp"
#include "tend/config/schedule_keys.hpp"
#include "tend/config/key_table.hpp"
#include "tend/config/limits_parser.hpp"
#include "tend/config/probe_parser.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

using Pending = ServiceParse;

const std::string kBackoffKeys[] = {"initial", "max", "factor"};
const std::string kDependencyKeys[] = {"condition", "required", "restart"};
const std::string kMaxRestartsKeys[] = {"count", "within"};

// `db: ready`, or compose's `db: {condition: service_healthy, required: false, restart: true}`.
void parse_dependency(YamlReader& reader, const std::string& name, const YAML::Node& value, const std::string& path,
                      ServiceSpec& spec) {
    Dependency dep{name, DependencyCondition::started, true, reader.where(value)};
    // Not assigned later: assigning a yaml-cpp node writes through to the node it refers to.
    const YAML::Node condition = value.IsMap() ? value["condition"] : value;
    if (value.IsMap()) {
        reader.check_keys(value, kDependencyKeys, path);
        if (const YAML::Node required = value["required"])
            if (auto b = reader.boolean(required, path + ".required")) dep.required = *b;
        if (const YAML::Node restart = value["restart"])
            if (auto b = reader.boolean(restart, path + ".restart")) dep.restart = *b;
    }
    if (condition && !condition.IsNull()) {
        const std::string at = path + (value.IsMap() ? ".condition" : "");
        auto text = reader.string(condition, at);
        if (!text) return;
        auto parsed = parse_dependency_condition(*text);
        if (!parsed) {
            reader.error(condition, at + ": unknown condition '" + *text +
                                        "' (expected started, ready, healthy or completed; or compose's service_started, "
                                        "service_healthy, service_completed_successfully)");
            return;
        }
        dep.condition = *parsed;
    }
    spec.depends_on.push_back(std::move(dep));
}

// A NUL byte ("\0" in YAML) would cut the string the kernel sees: refused, not truncated.
bool has_nul(YamlReader& reader, const YAML::Node& node, const std::string& path, const std::string& text) {
    if (text.find('\0') == std::string::npos) return false;
    reader.error(node, path + ": contains a NUL byte (\\0), which a command line or environment cannot carry");
    return true;
}

// A name as the config wrote it: "A\0B", not a string cut at its NUL.
std::string with_nul_shown(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '\0' ? std::string("\\0") : std::string(1, c);
    return out;
}

void parse_command(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                   Pending& pending) {
    if (value.IsScalar()) {
        pending.command_string = value.Scalar();
        if (value.Scalar().empty()) reader.error(value, path + ": must not be empty");
        else if (!has_nul(reader, value, path, value.Scalar())) spec.argv = {"/bin/sh", "-c", value.Scalar()};
    } else if (value.IsSequence()) {
        if (auto argv = reader.string_list(value, path)) {
            bool nul = false;
            for (std::size_t i = 0; i < argv->size(); ++i)
                nul = has_nul(reader, value[i], path + "[" + std::to_string(i) + "]", (*argv)[i]) || nul;
            if (nul) return;
            if (argv->empty() || (*argv)[0].empty()) reader.error(value, path + ": must name a program");
            else spec.argv = std::move(*argv);
        }
    } else {
        reader.error(value, path + ": expected a list of arguments or a shell command string");
    }
}

void parse_environment(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                       Pending&) {
    if (value.IsSequence()) {  // docker-compose's list form: ["KEY=value", "NAME", ...]
        std::set<std::string> named;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string at = path + "[" + std::to_string(i) + "]";
            auto item = reader.string(value[i], at);
            if (!item || has_nul(reader, value[i], at, *item)) continue;
            auto eq = item->find('=');
            if (eq == 0 || item->empty()) {
                reader.error(value[i], path + ": expected KEY=value or NAME, got '" + *item + "'");
                continue;
            }
            std::string name = item->substr(0, eq);
            if (!named.insert(name).second) {
                reader.error(value[i], at + ": " + name + " is set twice in the list");
                continue;
            }
            // NAME alone passes tend's value through (compose's form); unset, it adds nothing.
            if (eq != std::string::npos) spec.environment[name] = item->substr(eq + 1);
            else if (auto passed = reader.variable(name)) spec.environment[name] = *passed;
        }
        return;
    }
    if (!reader.expect_map(value, path)) return;
    for (const auto& entry : value)  // at the name itself, which the visitor below does not see
        if (entry.first.IsScalar() && entry.first.Scalar().find('\0') != std::string::npos)
            reader.error(entry.first, path + ": the variable name '" + with_nul_shown(entry.first.Scalar()) +
                                          "' contains a NUL byte (\\0), which an environment cannot carry");
    reader.for_each_entry(value, path, [&](const std::string& key, const YAML::Node& v) {
        if (key.find('\0') != std::string::npos) return;
        if (key.empty() || key.find('=') != std::string::npos) {
            reader.error(v, path + ": invalid variable name '" + key + "'");
            return;
        }
        if (v.IsNull()) {  // `NAME:` passes tend's value through, as `[NAME]` does (compose's meaning)
            if (auto passed = reader.variable(key)) spec.environment[key] = *passed;
        } else if (auto s = reader.string(v, path + "." + key); s && !has_nul(reader, v, path + "." + key, *s))
            spec.environment[key] = *s;
    });
}

void parse_env_file_key(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                        Pending&) {
    if (auto refs = parse_env_file_refs(reader, value, path)) spec.env_files = std::move(*refs);
}

void parse_backoff(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                   Pending&) {
    if (!reader.expect_map(value, path)) return;
    reader.check_keys(value, kBackoffKeys, path);
    reader.for_each_entry(value, path, [&](const std::string& key, const YAML::Node& v) {
        if (key == "initial") {
            if (auto d = reader.duration(v, path + ".initial")) spec.backoff.initial = *d;
        } else if (key == "max") {
            if (auto d = reader.duration(v, path + ".max")) spec.backoff.max = *d;
        } else if (key == "factor") {
            if (auto f = reader.number(v, path + ".factor", 1.0)) spec.backoff.factor = *f;
        }
    });
    if (spec.backoff.initial.count() == 0 && value["factor"])
        reader.error(value["factor"], path + ".factor: has nothing to multiply: initial 0 means no backoff, "
                                             "every restart at once (drop factor, or give initial a duration)");
    if (spec.backoff.max < spec.backoff.initial)
        reader.error(value, path + ": max (" + format_duration(spec.backoff.max) + ") is below initial (" +
                                format_duration(spec.backoff.initial) + ")");
}

// Only the signals tend itself has no use for: TERM, INT and HUP steer tend.
void parse_forward_signals(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                           Pending&) {
    if (!value.IsSequence()) {
        reader.error(value, path + ": expected a list of signals, e.g. [USR1, WINCH]");
        return;
    }
    std::unordered_map<int, std::size_t> listed_at;  // signal -> its first index
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        auto sig = reader.signal(value[i], at);
        if (!sig) continue;
        if (*sig != SIGUSR1 && *sig != SIGUSR2 && *sig != SIGWINCH)
            reader.error(value[i], path + ": " + signal_name(*sig) + " cannot be forwarded (only USR1, USR2 and WINCH)");
        else if (auto [first, added] = listed_at.emplace(*sig, i); !added)
            reader.error(value[i], at + ": " + signal_name(*sig) + " is listed twice (first at [" +
                                       std::to_string(first->second) + "])");
        else
            spec.forward_signals.push_back(*sig);
    }
}

void parse_depends_on(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                      Pending&) {
    if (value.IsSequence()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            if (auto name = reader.string(value[i], path + "[" + std::to_string(i) + "]"))
                spec.depends_on.push_back({*name, DependencyCondition::started, true, reader.where(value[i])});
        return;
    }
    if (!value.IsMap()) {
        reader.error(value, path + ": expected a list of service names or a map of name: condition");
        return;
    }
    reader.for_each_entry(value, path, [&](const std::string& name, const YAML::Node& condition) {
        parse_dependency(reader, name, condition, path + "." + name, spec);
    });
}


// A name or uid, or compose's "USER:GROUP" (names or ids).
void parse_user(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec&, Pending& pending) {
    pending.user = reader.string(v, p);
    pending.user_node = v;
    if (!pending.user) return;
    const auto colon = pending.user->find(':');
    if (colon == std::string::npos) return;
    if (colon == 0 || colon + 1 == pending.user->size() || pending.user->find(':', colon + 1) != std::string::npos) {
        reader.error(v, p + ": expected USER or USER:GROUP (names or ids), got '" + *pending.user + "'");
        return;
    }
    pending.user_group = pending.user->substr(colon + 1);
    pending.user->resize(colon);
}

void parse_group(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec&, Pending& pending) {
    pending.group = reader.string(v, p);
    pending.group_node = v;
}

void parse_working_dir(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto s = reader.string(v, p)) spec.working_dir = *s;
}

void parse_umask_key(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto mode = parse_umask(reader, v, p)) spec.umask = *mode;
}

void parse_limits_key(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    parse_limits(reader, v, p, spec.limits);
}

void parse_no_new_privileges(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec,
                             Pending&) {
    if (auto b = reader.boolean(v, p)) spec.no_new_privileges = *b;
}

void parse_autostart(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto b = reader.boolean(v, p)) spec.autostart = *b;
}

// tend's names, or compose's: "no" (never), unless-stopped (always: a service
// stopped by the operator stays stopped anyway), on-failure:N (N = max_restarts;
// 0, as docker reads it, is unlimited).
void parse_restart(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending& pending) {
    auto text = reader.string(v, p);
    if (!text) return;
    for (std::size_t i = 0; i < std::size(kRestartPolicyNames); ++i)
        if (*text == kRestartPolicyNames[i]) {
            spec.restart = static_cast<RestartPolicy>(i);
            return;
        }
    if (*text == "no") {
        spec.restart = RestartPolicy::never;
    } else if (*text == "unless-stopped") {
        spec.restart = RestartPolicy::always;
    } else if (text->starts_with("on-failure:")) {
        const std::string count = text->substr(std::string_view("on-failure:").size());
        int n = -1;
        auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
        if (ec != std::errc() || end != count.data() + count.size() || count.empty() || n < 0) {
            reader.error(v, p + ": expected on-failure:N with N a whole number, got '" + *text + "'");
            return;
        }
        spec.restart = RestartPolicy::on_failure;
        pending.restart_count = n == 0 ? -1 : n;
    } else {
        reader.error(v, p + ": expected always, on-failure or never (or compose's \"no\", unless-stopped, on-failure:N), got '" +
                            *text + "'");
    }
}

void parse_success_exit_codes(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec,
                              Pending&) {
    if (!v.IsSequence()) {
        reader.error(v, p + ": expected a list of exit codes");
        return;
    }
    spec.success_exit_codes.clear();
    for (std::size_t i = 0; i < v.size(); ++i)
        if (auto code = reader.integer(v[i], p + "[" + std::to_string(i) + "]", 0, 255))
            spec.success_exit_codes.push_back(static_cast<int>(*code));
}

void parse_min_uptime(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto d = reader.duration(v, p)) spec.min_uptime = *d;
}

// A count of consecutive failed starts, or {count, within}: failures of any kind in a window.
void parse_max_restarts(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (!v.IsMap()) {
        if (auto n = reader.integer(v, p, -1, 1'000'000'000)) spec.max_restarts = static_cast<int>(*n);
        return;
    }
    reader.check_keys(v, kMaxRestartsKeys, p);
    if (!v["count"] || !v["within"]) {
        reader.error(v, p + ": expected {count: N, within: DURATION}");
        return;
    }
    if (auto n = reader.integer(v["count"], p + ".count", 0, 1'000'000'000)) spec.max_restarts = static_cast<int>(*n);
    if (auto d = reader.duration(v["within"], p + ".within")) {
        if (d->count() == 0) reader.error(v["within"], p + ".within: must be more than 0");
        else spec.restart_window = *d;
    }
}

void parse_type(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto c = reader.choice(v, p, kServiceTypeNames)) spec.type = static_cast<ServiceType>(*c);
}

void parse_ready(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    parse_ready_spec(reader, v, p, spec.ready);
}

void parse_health(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    parse_health_spec(reader, v, p, spec.health);
}

void parse_on_fatal(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto c = reader.choice(v, p, kOnFatalNames)) spec.on_fatal = static_cast<OnFatal>(*c);
}

void parse_stop_signal(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto s = reader.signal(v, p)) {
        if (*s == SIGSTOP) reader.error(v, p + ": SIGSTOP cannot stop a service");
        else spec.stop_signal = *s;
    }
}

void parse_stop_timeout(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto d = reader.duration(v, p)) spec.stop_timeout = *d;
}

void parse_kill_mode(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto c = reader.choice(v, p, kKillModeNames)) spec.kill_mode = static_cast<KillMode>(*c);
}

void parse_critical(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto b = reader.boolean(v, p)) spec.critical = *b;
}

void parse_output(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (v.IsNull()) spec.output = OutputMode::discard;
    else if (auto c = reader.choice(v, p, kOutputModeNames)) spec.output = static_cast<OutputMode>(*c);
}

void parse_log_file(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto s = reader.string(v, p)) {
        if (s->empty() || s->front() != '/') reader.error(v, p + ": expected an absolute path, got '" + *s + "'");
        else spec.log_file = *s;
    }
}

void parse_log_max_size(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto n = reader.byte_size(v, p)) {
        if (*n < 4096) reader.error(v, p + ": must be at least 4KiB");
        else spec.log_max_size = *n;
    }
}

void parse_log_keep(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec, Pending&) {
    if (auto n = reader.integer(v, p, 0, 1000)) spec.log_keep = static_cast<int>(*n);
}

void parse_log_buffer_lines(YamlReader& reader, const YAML::Node& v, const std::string& p, ServiceSpec& spec,
                            Pending&) {
    if (auto n = reader.integer(v, p, 0, 1'000'000)) spec.log_buffer_lines = static_cast<int>(*n);
}

// No user means tend's own: uid and gid are compared as they would be set.
bool same_user(const ServiceSpec& a, const ServiceSpec& b) {
    if (a.credentials.has_value() != b.credentials.has_value()) return false;
    return !a.credentials || a.credentials->uid == b.credentials->uid;
}

bool same_group(const ServiceSpec& a, const ServiceSpec& b) {
    if (a.credentials.has_value() != b.credentials.has_value()) return false;
    return !a.credentials || (a.credentials->gid == b.credentials->gid && a.credentials->groups == b.credentials->groups);
}

// Where a dependency was written does not matter, only what it names.
bool same_dependencies(const ServiceSpec& a, const ServiceSpec& b) {
    return std::equal(a.depends_on.begin(), a.depends_on.end(), b.depends_on.begin(), b.depends_on.end(),
                      [](const Dependency& x, const Dependency& y) {
                          return x.name == y.name && x.condition == y.condition && x.required == y.required &&
                                 x.restart == y.restart;
                      });
}

bool same_max_restarts(const ServiceSpec& a, const ServiceSpec& b) {
    return a.max_restarts == b.max_restarts && a.restart_window == b.restart_window;
}

bool same_backoff(const ServiceSpec& a, const ServiceSpec& b) {
    return a.backoff.initial == b.backoff.initial && a.backoff.max == b.backoff.max &&
           a.backoff.factor == b.backoff.factor;
}

#define TEND_SAME(field) [](const ServiceSpec& a, const ServiceSpec& b) { return a.field == b.field; }

constexpr ReloadEffect kRestart = ReloadEffect::restart;
constexpr ReloadEffect kInPlace = ReloadEffect::in_place;

const ServiceKey kServiceKeys[] = {
    // How the process is made.
    {"command", parse_command, kRestart, TEND_SAME(argv), "[other, program]"},
    {"type", parse_type, kRestart, TEND_SAME(type), "oneshot"},
    {"user", parse_user, kRestart, same_user, "\"65534\""},
    {"group", parse_group, kRestart, same_group, "\"65534\""},
    {"working_dir", parse_working_dir, kRestart, TEND_SAME(working_dir), "/tmp"},
    {"environment", parse_environment, kRestart, TEND_SAME(environment), "{A: b}"},
    {"env_file", parse_env_file_key, kRestart, TEND_SAME(env_files), "[{path: /etc/app.env, required: false}]"},
    {"umask", parse_umask_key, kRestart, TEND_SAME(umask), "\"0027\""},
    {"limits", parse_limits_key, kRestart, TEND_SAME(limits), "{nofile: 1024, core: 0}"},
    {"no_new_privileges", parse_no_new_privileges, kRestart, TEND_SAME(no_new_privileges), "true"},
    // When it starts and restarts.
    {"autostart", parse_autostart, kInPlace, TEND_SAME(autostart), "false"},
    {"restart", parse_restart, kInPlace, TEND_SAME(restart), "always"},
    {"success_exit_codes", parse_success_exit_codes, kInPlace, TEND_SAME(success_exit_codes), "[0, 3]"},
    {"min_uptime", parse_min_uptime, kInPlace, TEND_SAME(min_uptime), "5s"},
    {"max_restarts", parse_max_restarts, kInPlace, same_max_restarts, "{count: 3, within: 1m}"},
    {"backoff", parse_backoff, kInPlace, same_backoff, "{initial: 1s}"},
    // How it stops, and its place among the others.
    {"stop_signal", parse_stop_signal, kInPlace, TEND_SAME(stop_signal), "QUIT"},
    {"stop_timeout", parse_stop_timeout, kInPlace, TEND_SAME(stop_timeout), "3s"},
    {"kill_mode", parse_kill_mode, kInPlace, TEND_SAME(kill_mode), "process"},
    {"depends_on", parse_depends_on, kInPlace, same_dependencies, "[other]"},
    {"critical", parse_critical, kInPlace, TEND_SAME(critical), "true"},
    {"on_fatal", parse_on_fatal, kInPlace, TEND_SAME(on_fatal), "shutdown"},
    // How it says it is ready (the notify socket and fd shape the process), and how its health is checked.
    {"ready", parse_ready, kRestart, TEND_SAME(ready), "{tcp: 127.0.0.1:5432}"},
    {"health", parse_health, kInPlace, TEND_SAME(health), "{exec: [true], retries: 2}"},
    // Its output. Whether it is captured at all can hang on log_file, so that shapes the process.
    {"output", parse_output, kRestart, TEND_SAME(output), "inherit"},
    {"log_file", parse_log_file, kRestart, TEND_SAME(log_file), "/tmp/x.log"},
    {"log_max_size", parse_log_max_size, kInPlace, TEND_SAME(log_max_size), "1MiB"},
    {"log_keep", parse_log_keep, kInPlace, TEND_SAME(log_keep), "7"},
    {"log_buffer_lines", parse_log_buffer_lines, kInPlace, TEND_SAME(log_buffer_lines), "10"},
    // When it runs, if it is a scheduled job (config/schedule_keys), and how long a run may take.
    {"schedule", parse_schedule, kInPlace, TEND_SAME(schedule), "\"*/5 * * * *\""},
    {"concurrency", parse_concurrency, kInPlace, TEND_SAME(concurrency), "replace"},
    {"timeout", parse_timeout, kInPlace, TEND_SAME(timeout), "30s"},
    // Signals passed on.
    {"forward_signals", parse_forward_signals, kInPlace, TEND_SAME(forward_signals), "[USR1]"},
    // docker-compose's spellings (config/compose_keys); those of a tend key report their changes under it.
    {"healthcheck", parse_healthcheck, kInPlace, TEND_SAME(health), "{test: [CMD, \"true\"], interval: 1m30s}", "health"},
    {"entrypoint", parse_entrypoint, kRestart, TEND_SAME(argv), "[/bin/env]", "command"},
    {"stop_grace_period", parse_stop_timeout, kInPlace, TEND_SAME(stop_timeout), "1m30s", "stop_timeout"},
    {"ulimits", parse_limits_key, kRestart, TEND_SAME(limits), "{nofile: {soft: 1024, hard: 2048}}", "limits"},
    {"profiles", parse_profiles, kInPlace, TEND_SAME(profiles), "[debug]"},
};

#undef TEND_SAME

}  // namespace

std::span<const ServiceKey> service_keys() { return kServiceKeys; }

std::span<const std::string> service_key_names() { return key_names(service_keys()); }

const ServiceKey* find_service_key(const std::string& key) { return find_key(service_keys(), key); }

}  // namespace tend
