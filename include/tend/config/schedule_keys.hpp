// The keys of a scheduled job (`schedule:`, `concurrency:`) and a run's
// `timeout:`, and what they mean together with the rest of the service:
// a scheduled job is a one-shot that does not start with tend.
#pragma once

#include <string>

#include "tend/config/service_keys.hpp"

namespace tend {

void parse_schedule(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                    ServiceParse& pending);
void parse_concurrency(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                       ServiceParse& pending);
void parse_timeout(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                   ServiceParse& pending);

// Once every key of the service is read: a schedule makes it a one-shot that
// does not autostart (unless autostart is written), and the keys that only
// mean something for runs are refused elsewhere, at their place.
void finish_schedule_keys(YamlReader& reader, const YAML::Node& service, const std::string& path, ServiceSpec& spec);

}  // namespace tend
