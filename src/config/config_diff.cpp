#include "tend/config/config_diff.hpp"

#include "tend/config/service_keys.hpp"
#include "tend/config/setting_keys.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace tend {
namespace {

ServiceDiff diff_service(const ServiceSpec& old_spec, const ServiceSpec& new_spec) {
    ServiceDiff diff{new_spec.name, ServiceChange::unchanged, {}};
    bool restart = false;
    for (const ServiceKey& key : service_keys())
        if (!key.spelling_of && !key.same(old_spec, new_spec)) {
            diff.fields.push_back(key.key);
            restart = restart || key.effect == ReloadEffect::restart;
        }
    if (!diff.fields.empty()) diff.change = restart ? ServiceChange::restarted : ServiceChange::updated;
    return diff;
}

void diff_setting(std::vector<SettingDiff>& out, const char* key, std::string from, std::string to) {
    if (from != to) out.push_back({key, std::move(from), std::move(to)});
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
        for (const ServiceKey& key : service_keys())
            if (key.effect == ReloadEffect::restart && !key.spelling_of) out.push_back(key.key);
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

    for (const SettingKey& key : setting_keys())
        diff_setting(diff.settings, key.reported_as ? key.reported_as : key.key, key.text(old_settings),
                     key.text(next.settings));
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
