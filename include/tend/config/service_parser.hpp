// One entry of the `services:` map, defaults filled in.
#pragma once

#include <optional>

#include "tend/config/config.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// Returns nothing when the entry had errors (they are recorded in `reader`).
std::optional<ServiceSpec> parse_service(YamlReader& reader, const std::string& name, const YAML::Node& key,
                                         const YAML::Node& node);

// Service names become log prefixes, socket arguments and file names: keep them
// tame. A name is 1 to 64 of these characters, and not "all".
bool valid_service_name_char(char c);
bool valid_service_name(const std::string& name);

}  // namespace tend
