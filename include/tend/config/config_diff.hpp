// What a reload would change: the running config against a freshly loaded one,
// service by service on their effective definitions, and setting by setting.
// Pure: the supervisor carries the plan out, `tendctl reload --dry-run` prints it.
#pragma once

#include <string>
#include <vector>

#include "tend/config/config.hpp"

namespace tend {

enum class ServiceChange {
    added,      // start it (dependency order)
    removed,    // stop it with its old stop settings (reverse dependency order)
    restarted,  // a field the running process was made from changed: stop, then start anew
    updated,    // only fields that apply in place changed: same pid, counters kept
    unchanged,
};

struct ServiceDiff {
    std::string name;
    ServiceChange change = ServiceChange::unchanged;
    std::vector<std::string> fields;  // the changed keys, in config-key order
};

struct SettingDiff {
    std::string key;
    std::string from;
    std::string to;
};

struct ConfigDiff {
    std::vector<ServiceDiff> services;  // the new config's services in order, then the removed ones
    std::vector<SettingDiff> settings;

    bool empty() const;
};

// Keys whose change restarts a service; every other service key applies in place.
const std::vector<std::string>& restart_keys();

ConfigDiff diff_configs(const Settings& old_settings, const std::vector<ServiceSpec>& old_services,
                        const Config& next);

const char* to_string(ServiceChange change);
// "+ worker", "- old", "~ web (command changed)", "~ web (stop_timeout changed, applied in place)", "= db"
std::string describe(const ServiceDiff& diff);
// "~ settings.log_level (info -> debug)"
std::string describe(const SettingDiff& diff);

}  // namespace tend
