#include "tend/config/compose_keys.hpp"

#include <algorithm>
#include <cctype>

#include "tend/config/probe_parser.hpp"
#include "tend/util/shell_words.hpp"

namespace tend {
namespace {

const std::string kHealthcheckKeys[] = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"};

// Each refused key with why; a key without its own word is about the image or the container.
struct Refused {
    std::string key;
    const char* why;
};

constexpr const char* kContainerKey =
    "is about images and containers, and tend runs commands inside one image: set it where that container is defined";

const Refused kRefused[] = {
    {"image", kContainerKey}, {"build", kContainerKey}, {"ports", kContainerKey}, {"expose", kContainerKey},
    {"volumes", kContainerKey}, {"volumes_from", kContainerKey}, {"tmpfs", kContainerKey},
    {"networks", kContainerKey}, {"network_mode", kContainerKey}, {"links", kContainerKey},
    {"external_links", kContainerKey}, {"extra_hosts", kContainerKey}, {"dns", kContainerKey},
    {"dns_search", kContainerKey}, {"hostname", kContainerKey}, {"domainname", kContainerKey},
    {"container_name", kContainerKey}, {"labels", kContainerKey}, {"platform", kContainerKey},
    {"pull_policy", kContainerKey}, {"privileged", kContainerKey}, {"cap_add", kContainerKey},
    {"cap_drop", kContainerKey}, {"devices", kContainerKey}, {"security_opt", kContainerKey},
    {"sysctls", kContainerKey}, {"shm_size", kContainerKey}, {"ipc", kContainerKey}, {"pid", kContainerKey},
    {"userns_mode", kContainerKey}, {"cgroup_parent", kContainerKey}, {"runtime", kContainerKey},
    {"secrets", kContainerKey}, {"configs", kContainerKey}, {"mem_limit", kContainerKey}, {"cpus", kContainerKey},
    {"read_only", kContainerKey}, {"stdin_open", kContainerKey}, {"tty", kContainerKey},
    {"deploy", "is about containers (replicas, resources, placement), and tend runs commands inside one image: "
               "set it where that container is defined"},
    {"scale", "is about containers, and tend runs commands inside one image: set it where that container is defined"},
    {"init", "is not needed: tend is the container's init (PID 1) already"},
    {"logging", "is not tend's: tend captures each service's output (see output: and log_file:)"},
    {"extends", "is not tend's: reuse a definition with a YAML anchor and a merge key (<<: *base)"},
    {"group_add", "is not tend's: a service gets its user's groups; group: sets the primary one"},
};

std::vector<std::string> refused_names() {
    std::vector<std::string> out;
    for (const Refused& r : kRefused) out.push_back(r.key);
    return out;
}

// Compose's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*
bool valid_profile_name(const std::string& name) {
    auto ok = [](char c, bool first) {
        return std::isalnum(static_cast<unsigned char>(c)) || (!first && (c == '_' || c == '.' || c == '-'));
    };
    if (name.empty() || !ok(name[0], true)) return false;
    return std::all_of(name.begin() + 1, name.end(), [&](char c) { return ok(c, false); });
}

// Only the command: the timing given before stays.
void set_exec(ProbeSpec& probe, std::vector<std::string> argv) {
    probe.kind = ProbeSpec::Kind::exec;
    probe.argv = std::move(argv);
}

// test: a shell string, or a list in compose's forms; false when it turns the check off ([NONE]).
bool parse_test(YamlReader& reader, const YAML::Node& test, const std::string& at, ProbeSpec& probe) {
    if (test.IsScalar()) {
        if (test.Scalar().empty()) reader.error(test, at + ": must not be empty");
        else set_exec(probe, {"/bin/sh", "-c", test.Scalar()});
        return true;
    }
    auto argv = reader.string_list(test, at);
    if (!argv) return true;
    if (!argv->empty() && argv->front() == "NONE") return false;
    if (argv->empty() || (argv->front() != "CMD" && argv->front() != "CMD-SHELL")) {
        reader.error(test, at + ": a list starts with CMD, CMD-SHELL or NONE, e.g. [CMD, pg_isready]; or give a shell string");
        return true;
    }
    if (auto error = unwrap_compose_test(*argv); !error.empty()) reader.error(test, at + ": " + error);
    else set_exec(probe, std::move(*argv));
    return true;
}

// The same thing written in tend's and compose's spelling: one of them.
void refuse_both(YamlReader& reader, const YAML::Node& node, const std::string& path, const char* tends,
                 const char* composes) {
    if (map_value(node, tends) && map_value(node, composes))
        reader.error(map_value(node, composes), path + "." + composes + ": give " + tends + " or " + composes +
                                         " (compose's name for it), not both");
}

void settle_entrypoint(YamlReader& reader, const YAML::Node& node, const std::string& path, ServiceSpec& spec,
                       const ServiceParse& pending) {
    if (!pending.entrypoint || pending.entrypoint->empty()) return;  // compose's `entrypoint: []`: the command alone
    std::vector<std::string> argv = *pending.entrypoint;
    if (argv.front().empty()) {
        reader.error(pending.entrypoint_node, path + ".entrypoint: must name a program");
        return;
    }
    if (pending.command_string) {
        // After an entrypoint, compose splits a command string into its arguments: no shell runs it.
        auto words = split_shell_words(*pending.command_string);
        if (!words) {
            reader.error(map_value(node, "command"), path + ".command: an unterminated quote or a trailing backslash (after "
                                                 "entrypoint, a command string is split into arguments as compose does)");
            return;
        }
        argv.insert(argv.end(), words->begin(), words->end());
    } else if (map_value(node, "command")) {
        argv.insert(argv.end(), spec.argv.begin(), spec.argv.end());
    }
    spec.argv = std::move(argv);
}

}  // namespace

void parse_healthcheck(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                       ServiceParse&) {
    if (!reader.expect_map(value, path)) return;
    reader.check_keys(value, kHealthcheckKeys, path);
    HealthSpec health;
    // Docker's defaults, not tend's health: ones: a compose file means what docker would run.
    health.probe.interval = 30s;
    health.probe.timeout = 30s;
    health.start_interval = 5s;
    bool on = true;
    if (const YAML::Node disable = value["disable"])
        if (auto b = reader.boolean(disable, path + ".disable")) on = !*b;
    if (const YAML::Node test = value["test"]) on = parse_test(reader, test, path + ".test", health.probe) && on;
    else if (on) reader.error(value, path + ": missing test (there is no image HEALTHCHECK to inherit)");
    parse_health_timing(reader, value, path, health);
    spec.health = on ? health : HealthSpec{};
}

void parse_entrypoint(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec&,
                      ServiceParse& pending) {
    pending.entrypoint_node = value;
    if (value.IsNull()) {
        pending.entrypoint.emplace();
    } else if (value.IsScalar()) {
        if (auto words = split_shell_words(value.Scalar())) pending.entrypoint = std::move(*words);
        else reader.error(value, path + ": an unterminated quote or a trailing backslash");
    } else if (value.IsSequence()) {
        if (auto argv = reader.string_list(value, path)) pending.entrypoint = std::move(*argv);
    } else {
        reader.error(value, path + ": expected a list of arguments or a command string");
    }
}

void parse_profiles(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                    ServiceParse&) {
    auto names = reader.string_list(value, path);
    if (!names) return;
    for (std::size_t i = 0; i < names->size(); ++i)
        if (!valid_profile_name((*names)[i]))
            reader.error(value[i], path + "[" + std::to_string(i) + "]: invalid profile name '" + (*names)[i] +
                                       "' (letters, digits, '_', '.', '-', starting with a letter or digit)");
    spec.profiles = std::move(*names);
}

std::span<const std::string> healthcheck_key_names() { return kHealthcheckKeys; }

std::span<const std::string> refused_compose_keys() {
    static const std::vector<std::string> names = refused_names();
    return names;
}

void refuse_compose_key(YamlReader& reader, const std::string& key, const YAML::Node& value, const std::string& path) {
    for (const Refused& r : kRefused)
        if (r.key == key) reader.error(value, path + "." + key + ": " + r.why);
}

void finish_compose_keys(YamlReader& reader, const YAML::Node& node, const std::string& path, ServiceSpec& spec,
                         ServiceParse& pending) {
    refuse_both(reader, node, path, "health", "healthcheck");
    refuse_both(reader, node, path, "stop_timeout", "stop_grace_period");
    refuse_both(reader, node, path, "limits", "ulimits");
    if (spec.type == ServiceType::oneshot && map_value(node, "healthcheck") && spec.health.enabled())
        reader.error(map_value(node, "healthcheck"), path + ".healthcheck: a one-shot has no health to check");
    settle_entrypoint(reader, node, path, spec, pending);
    if (pending.restart_count) {
        if (map_value(node, "max_restarts"))
            reader.error(map_value(node, "max_restarts"), path + ".max_restarts: the count is given in restart: on-failure:N already");
        else spec.max_restarts = *pending.restart_count;
    }
    if (pending.user_group) {
        if (map_value(node, "group")) {
            reader.error(map_value(node, "group"), path + ".group: the group is given in user: \"USER:GROUP\" already");
        } else {
            pending.group = pending.user_group;
            pending.group_node = pending.user_node;
        }
    }
}

void apply_profiles(std::vector<ServiceSpec>& services, std::string_view active) {
    std::vector<std::string_view> names;
    for (std::size_t start = 0; start <= active.size();) {
        std::size_t comma = std::min(active.find(',', start), active.size());
        std::string_view name = active.substr(start, comma - start);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (!name.empty()) names.push_back(name);
        start = comma + 1;
    }
    const bool all = std::find(names.begin(), names.end(), "*") != names.end();  // compose's "every profile"
    for (ServiceSpec& spec : services) {
        if (spec.profiles.empty() || all) continue;
        bool on = std::any_of(spec.profiles.begin(), spec.profiles.end(), [&](const std::string& p) {
            return std::find(names.begin(), names.end(), p) != names.end();
        });
        if (!on) spec.autostart = false;
    }
}

}  // namespace tend
