#include "tend/config/service_parser.hpp"

#include <algorithm>
#include <csignal>

#include "tend/process/user_lookup.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

const std::string kKeys[] = {"command",      "user",         "group",      "working_dir",        "environment",
                             "autostart",    "restart",      "success_exit_codes", "min_uptime", "max_restarts",
                             "backoff",      "stop_signal",  "stop_timeout", "kill_mode",        "depends_on",
                             "critical",     "output",       "log_file",   "log_max_size",       "log_keep",
                             "log_buffer_lines", "forward_signals"};
const std::string kBackoffKeys[] = {"initial", "max", "factor"};
const std::string kRestartPolicies[] = {"always", "on-failure", "never"};
const std::string kKillModes[] = {"group", "process"};
const std::string kOutputModes[] = {"prefix", "inherit", "null"};
const std::string kConditions[] = {"started"};

void parse_command(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec) {
    if (value.IsScalar()) {
        if (value.Scalar().empty()) reader.error(value, path + ": must not be empty");
        else spec.argv = {"/bin/sh", "-c", value.Scalar()};
    } else if (value.IsSequence()) {
        if (auto argv = reader.string_list(value, path)) {
            if (argv->empty() || (*argv)[0].empty()) reader.error(value, path + ": must name a program");
            else spec.argv = std::move(*argv);
        }
    } else {
        reader.error(value, path + ": expected a list of arguments or a shell command string");
    }
}

void parse_environment(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec) {
    if (value.IsSequence()) {  // docker-compose's list form: ["KEY=value", ...]
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto item = reader.string(value[i], path + "[" + std::to_string(i) + "]");
            if (!item) continue;
            auto eq = item->find('=');
            if (eq == 0 || eq == std::string::npos) reader.error(value[i], path + ": expected KEY=value, got '" + *item + "'");
            else spec.environment[item->substr(0, eq)] = item->substr(eq + 1);
        }
        return;
    }
    if (!reader.expect_map(value, path)) return;
    reader.for_each_entry(value, path, [&](const std::string& key, const YAML::Node& v) {
        if (key.empty() || key.find('=') != std::string::npos) {
            reader.error(v, path + ": invalid variable name '" + key + "'");
            return;
        }
        if (v.IsNull()) spec.environment[key] = "";
        else if (auto s = reader.string(v, path + "." + key)) spec.environment[key] = *s;
    });
}

void parse_backoff(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec) {
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
void parse_forward_signals(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec) {
    if (!value.IsSequence()) {
        reader.error(value, path + ": expected a list of signals, e.g. [USR1, WINCH]");
        return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        auto sig = reader.signal(value[i], path + "[" + std::to_string(i) + "]");
        if (!sig) continue;
        if (*sig != SIGUSR1 && *sig != SIGUSR2 && *sig != SIGWINCH)
            reader.error(value[i], path + ": " + signal_name(*sig) + " cannot be forwarded (only USR1, USR2 and WINCH)");
        else if (std::find(spec.forward_signals.begin(), spec.forward_signals.end(), *sig) == spec.forward_signals.end())
            spec.forward_signals.push_back(*sig);
    }
}

void parse_depends_on(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec) {
    if (value.IsSequence()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            if (auto name = reader.string(value[i], path + "[" + std::to_string(i) + "]"))
                spec.depends_on.push_back({*name, DependencyCondition::started, reader.where(value[i])});
        return;
    }
    if (!value.IsMap()) {
        reader.error(value, path + ": expected a list of service names or a map of name: condition");
        return;
    }
    reader.for_each_entry(value, path, [&](const std::string& name, const YAML::Node& condition) {
        if (reader.choice(condition, path + "." + name, kConditions))
            spec.depends_on.push_back({name, DependencyCondition::started, reader.where(condition)});
    });
}

}  // namespace

bool valid_service_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name == "all") return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@')) return false;
    return true;
}

std::optional<ServiceSpec> parse_service(YamlReader& reader, const std::string& name, const YAML::Node& key,
                                         const YAML::Node& node) {
    const std::size_t errors_before = reader.diagnostics().size();
    const std::string path = "services." + name;
    ServiceSpec spec;
    spec.name = name;
    spec.where = reader.where(key);
    if (!valid_service_name(name))
        reader.error(key, path + ": invalid service name (use letters, digits, '-', '_', '.', '@'; at most 64; not 'all')");
    if (!reader.expect_map(node, path)) return std::nullopt;
    reader.check_keys(node, kKeys, path);

    std::optional<std::string> user, group;
    YAML::Node user_node, group_node;
    reader.for_each_entry(node, path, [&](const std::string& k, const YAML::Node& v) {
        const std::string p = path + "." + k;
        if (k == "command") parse_command(reader, v, p, spec);
        else if (k == "user") { user = reader.string(v, p); user_node = v; }
        else if (k == "group") { group = reader.string(v, p); group_node = v; }
        else if (k == "working_dir") {
            if (auto s = reader.string(v, p)) spec.working_dir = *s;
        } else if (k == "environment") parse_environment(reader, v, p, spec);
        else if (k == "autostart") {
            if (auto b = reader.boolean(v, p)) spec.autostart = *b;
        } else if (k == "restart") {
            if (auto c = reader.choice(v, p, kRestartPolicies)) spec.restart = static_cast<RestartPolicy>(*c);
        } else if (k == "success_exit_codes") {
            if (!v.IsSequence()) { reader.error(v, p + ": expected a list of exit codes"); return; }
            spec.success_exit_codes.clear();
            for (std::size_t i = 0; i < v.size(); ++i)
                if (auto code = reader.integer(v[i], p + "[" + std::to_string(i) + "]", 0, 255))
                    spec.success_exit_codes.push_back(static_cast<int>(*code));
        } else if (k == "min_uptime") {
            if (auto d = reader.duration(v, p)) spec.min_uptime = *d;
        } else if (k == "max_restarts") {
            if (auto n = reader.integer(v, p, -1, 1'000'000'000)) spec.max_restarts = static_cast<int>(*n);
        } else if (k == "backoff") parse_backoff(reader, v, p, spec);
        else if (k == "stop_signal") {
            if (auto s = reader.signal(v, p)) {
                if (*s == SIGSTOP) reader.error(v, p + ": SIGSTOP cannot stop a service");
                else spec.stop_signal = *s;
            }
        } else if (k == "stop_timeout") {
            if (auto d = reader.duration(v, p)) spec.stop_timeout = *d;
        } else if (k == "kill_mode") {
            if (auto c = reader.choice(v, p, kKillModes)) spec.kill_mode = static_cast<KillMode>(*c);
        } else if (k == "depends_on") parse_depends_on(reader, v, p, spec);
        else if (k == "critical") {
            if (auto b = reader.boolean(v, p)) spec.critical = *b;
        } else if (k == "output") {
            if (v.IsNull()) spec.output = OutputMode::discard;
            else if (auto c = reader.choice(v, p, kOutputModes)) spec.output = static_cast<OutputMode>(*c);
        } else if (k == "log_file") {
            if (auto s = reader.string(v, p)) {
                if (s->empty() || s->front() != '/') reader.error(v, p + ": expected an absolute path, got '" + *s + "'");
                else spec.log_file = *s;
            }
        } else if (k == "log_max_size") {
            if (auto n = reader.byte_size(v, p)) {
                if (*n < 4096) reader.error(v, p + ": must be at least 4KiB");
                else spec.log_max_size = *n;
            }
        } else if (k == "log_keep") {
            if (auto n = reader.integer(v, p, 0, 1000)) spec.log_keep = static_cast<int>(*n);
        } else if (k == "forward_signals") {
            parse_forward_signals(reader, v, p, spec);
        } else if (k == "log_buffer_lines") {
            if (auto n = reader.integer(v, p, 0, 1'000'000)) spec.log_buffer_lines = static_cast<int>(*n);
        }
    });
    if (spec.output == OutputMode::inherit && !spec.log_file.empty())
        reader.error(node["log_file"], path + ".log_file: needs captured output, but output: inherit hands the service tend's own stdout");

    if (!node["command"]) reader.error(key, path + ": missing required key 'command'");
    if (user || group) {
        try {
            spec.credentials = lookup_credentials(user.value_or("0"), group);
        } catch (const CredentialError& e) {
            const bool about_group = e.field() == CredentialError::Field::group || !user_node;
            reader.error(about_group ? group_node : user_node, path + (about_group ? ".group: " : ".user: ") + e.what());
        }
    }
    if (reader.diagnostics().size() != errors_before) return std::nullopt;
    return spec;
}

}  // namespace tend
