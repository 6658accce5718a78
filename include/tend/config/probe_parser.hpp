// `ready:` and `health:` of a service: which check, and its timing.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "tend/config/probe_spec.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// The keys `ready:` and `health:` may hold (for the config schema).
std::span<const std::string> ready_key_names();
std::span<const std::string> health_key_names();
std::span<const std::string> notify_access_names();

void parse_ready_spec(YamlReader& reader, const YAML::Node& node, const std::string& path, ReadySpec& ready);
void parse_health_spec(YamlReader& reader, const YAML::Node& node, const std::string& path, HealthSpec& health);
// interval, timeout, start_period, start_interval and retries of a map: health's, and compose's healthcheck's.
void parse_health_timing(YamlReader& reader, const YAML::Node& node, const std::string& path, HealthSpec& health);

// Compose's forms of a check's command, as tend runs them: [CMD, prog, args...]
// is [prog, args...], [CMD-SHELL, STRING] is /bin/sh -c STRING; any other list
// is left as it is. Returns what is wrong with the list ("" when nothing).
// [NONE] is the caller's to handle: it means no check at all.
std::string unwrap_compose_test(std::vector<std::string>& argv);

// "tcp 127.0.0.1:5432", "http http://127.0.0.1:8080/healthz", "exec pg_isready": for logs and status.
std::string describe(const ProbeSpec& probe);

}  // namespace tend
