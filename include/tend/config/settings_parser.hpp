// The `settings:` section of tend.yaml.
#pragma once

#include <span>
#include <string>

#include "tend/config/config.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// The keys `settings:` may hold, in the order of setting_keys() (for did-you-mean).
std::span<const std::string> settings_key_names();
std::span<const std::string> log_format_names();
std::span<const std::string> log_level_names();

Settings parse_settings(YamlReader& reader, const YAML::Node& node);

}  // namespace tend
