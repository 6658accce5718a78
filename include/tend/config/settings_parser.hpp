// The `settings:` section of tend.yaml.
#pragma once

#include "tend/config/config.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

Settings parse_settings(YamlReader& reader, const YAML::Node& node);

}  // namespace tend
