// `ready:` and `health:` of a service: which check, and its timing.
#pragma once

#include <string>

#include "tend/config/probe_spec.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

void parse_ready_spec(YamlReader& reader, const YAML::Node& node, const std::string& path, ReadySpec& ready);
void parse_health_spec(YamlReader& reader, const YAML::Node& node, const std::string& path, HealthSpec& health);

// "tcp 127.0.0.1:5432", "http http://127.0.0.1:8080/healthz", "exec pg_isready": for logs and status.
std::string describe(const ProbeSpec& probe);

}  // namespace tend
