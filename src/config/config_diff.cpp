#include "tend/config/config_diff.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace tend {
namespace {

struct FieldRule {
    const char* key;
    bool needs_restart;  // the running process was made from it (argv, env, uid, fds)
    bool (*same)(const ServiceSpec&, const ServiceSpec&);
};

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
                          return x.name == y.name && x.condition == y.condition;
                      });
}

bool same_backoff(const ServiceSpec& a, const ServiceSpec& b) {
    return a.backoff.initial == b.backoff.initial && a.backoff.max == b.backoff.max &&
           a.backoff.factor == b.backoff.factor;
}

#define TEND_FIELD(key, restart) \
    FieldRule { #key, restart, [](const ServiceSpec& a, const ServiceSpec& b) { return a.key == b.key; } }

// In the order of the keys in DESIGN.md, so the plan reads like the config.
const FieldRule kFieldRules[] = {
    {"command", true, [](const ServiceSpec& a, const ServiceSpec& b) { return a.argv == b.argv; }},
    {"user", true, same_user},
    {"group", true, same_group},
    TEND_FIELD(working_dir, true),
    TEND_FIELD(environment, true),
    TEND_FIELD(autostart, false),
    TEND_FIELD(restart, false),
    TEND_FIELD(success_exit_codes, false),
    TEND_FIELD(min_uptime, false),
    TEND_FIELD(max_restarts, false),
    {"backoff", false, same_backoff},
    TEND_FIELD(stop_signal, false),
    TEND_FIELD(stop_timeout, false),
    TEND_FIELD(kill_mode, false),
    {"depends_on", false, same_dependencies},
    TEND_FIELD(critical, false),
    TEND_FIELD(output, true),
    TEND_FIELD(log_file, true),  // whether the output is captured at all can hang on it
    TEND_FIELD(log_max_size, false),
    TEND_FIELD(log_keep, false),
    TEND_FIELD(log_buffer_lines, false),
    TEND_FIELD(forward_signals, false),
};

#undef TEND_FIELD

std::string text_of(const std::optional<std::string>& value) { return value ? *value : "none"; }

std::string text_of(const std::vector<std::string>& values) {
    std::string out = "[";
    for (const auto& v : values) out += (out.size() > 1 ? ", " : "") + v;
    return out + "]";
}

ServiceDiff diff_service(const ServiceSpec& old_spec, const ServiceSpec& new_spec) {
    ServiceDiff diff{new_spec.name, ServiceChange::unchanged, {}};
    bool restart = false;
    for (const FieldRule& rule : kFieldRules)
        if (!rule.same(old_spec, new_spec)) {
            diff.fields.push_back(rule.key);
            restart = restart || rule.needs_restart;
        }
    if (!diff.fields.empty()) diff.change = restart ? ServiceChange::restarted : ServiceChange::updated;
    return diff;
}

void diff_setting(std::vector<SettingDiff>& out, const char* key, const std::string& from, const std::string& to) {
    if (from != to) out.push_back({key, from, to});
}

}  // namespace

bool ConfigDiff::empty() const {
    return settings.empty() && std::all_of(services.begin(), services.end(), [](const ServiceDiff& d) {
               return d.change == ServiceChange::unchanged;
           });
}

const std::vector<std::string>& restart_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const FieldRule& rule : kFieldRules)
            if (rule.needs_restart) out.push_back(rule.key);
        return out;
    }();
    return keys;
}

ConfigDiff diff_configs(const Settings& old_settings, const std::vector<ServiceSpec>& old_services,
                        const Config& next) {
    ConfigDiff diff;
    // Indexed by name: a config may hold tens of thousands of services.
    std::unordered_map<std::string_view, const ServiceSpec*> old_by_name, new_by_name;
    for (const ServiceSpec& spec : old_services) old_by_name.emplace(spec.name, &spec);
    for (const ServiceSpec& spec : next.services) new_by_name.emplace(spec.name, &spec);
    for (const ServiceSpec& spec : next.services) {
        auto old = old_by_name.find(spec.name);
        if (old == old_by_name.end()) diff.services.push_back({spec.name, ServiceChange::added, {}});
        else diff.services.push_back(diff_service(*old->second, spec));
    }
    for (const ServiceSpec& spec : old_services)
        if (!new_by_name.contains(spec.name)) diff.services.push_back({spec.name, ServiceChange::removed, {}});

    const Settings& s = next.settings;
    auto& out = diff.settings;
    diff_setting(out, "control_socket", old_settings.control_socket, s.control_socket);
    diff_setting(out, "control_group", text_of(old_settings.control_group), text_of(s.control_group));
    diff_setting(out, "shutdown_timeout", format_duration(old_settings.shutdown_timeout), format_duration(s.shutdown_timeout));
    diff_setting(out, "kill_grace", format_duration(old_settings.kill_grace), format_duration(s.kill_grace));
    diff_setting(out, "log_format", old_settings.log_format == LogFormat::json ? "json" : "text",
                 s.log_format == LogFormat::json ? "json" : "text");
    diff_setting(out, "log_level", old_settings.log_level, s.log_level);
    diff_setting(out, "include", text_of(old_settings.include), text_of(s.include));
    return diff;
}

const char* to_string(ServiceChange change) {
    switch (change) {
        case ServiceChange::added: return "added";
        case ServiceChange::removed: return "removed";
        case ServiceChange::restarted: return "restarted";
        case ServiceChange::updated: return "updated";
        case ServiceChange::unchanged: return "unchanged";
    }
    return "?";
}

std::string describe(const ServiceDiff& diff) {
    std::string fields;
    for (const auto& f : diff.fields) fields += (fields.empty() ? "" : ", ") + f;
    switch (diff.change) {
        case ServiceChange::added: return "+ " + diff.name;
        case ServiceChange::removed: return "- " + diff.name;
        case ServiceChange::restarted: return "~ " + diff.name + " (" + fields + " changed)";
        case ServiceChange::updated: return "~ " + diff.name + " (" + fields + " changed, applied in place)";
        case ServiceChange::unchanged: return "= " + diff.name;
    }
    return "? " + diff.name;
}

std::string describe(const SettingDiff& diff) {
    return "~ settings." + diff.key + " (" + diff.from + " -> " + diff.to + ")";
}

}  // namespace tend
