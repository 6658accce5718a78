#include "tend/config/schedule_keys.hpp"

#include <variant>

namespace tend {

void parse_schedule(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                    ServiceParse&) {
    auto text = reader.string(value, path);
    if (!text) return;
    auto parsed = parse_cron_schedule(*text);
    if (auto* why = std::get_if<std::string>(&parsed)) {
        reader.error(value, path + ": " + *why);
        return;
    }
    spec.schedule = JobSchedule{*text, std::get<CronSchedule>(parsed)};
}

void parse_concurrency(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                       ServiceParse&) {
    if (auto c = reader.choice(value, path, kConcurrencyNames)) spec.concurrency = static_cast<Concurrency>(*c);
}

void parse_timeout(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                   ServiceParse&) {
    auto d = reader.duration(value, path);
    if (!d) return;
    if (*d <= Duration(0)) reader.error(value, path + ": a run needs some time: give a duration over 0");
    else spec.timeout = *d;
}

void finish_schedule_keys(YamlReader& reader, const YAML::Node& service, const std::string& path, ServiceSpec& spec) {
    if (spec.schedule) {
        if (map_value(service, "type") && spec.type != ServiceType::oneshot)
            reader.error(map_value(service, "type"), path + ".type: a scheduled job runs to its end at each due time: leave type out or write oneshot");
        spec.type = ServiceType::oneshot;
        // It starts when it is due, not with tend; `autostart: true` runs it once at start as well.
        if (!map_value(service, "autostart")) spec.autostart = false;
        return;
    }
    if (map_value(service, "concurrency"))
        reader.error(map_value(service, "concurrency"), path + ".concurrency: only the runs of a scheduled job (schedule:) can overlap");
    if (map_value(service, "timeout") && spec.type != ServiceType::oneshot)
        reader.error(map_value(service, "timeout"), path + ".timeout: bounds a run of a one-shot or scheduled job; a long-running service has stop_timeout");
}

}  // namespace tend
