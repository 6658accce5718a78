// `umask:` and `limits:` of a service: the hardening values systemd users
// know as UMask= and Limit*=.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tend/config/yaml_reader.hpp"
#include "tend/process/resource_limits.hpp"

namespace tend {

// Octal as written: "0027", "027" or 27 all mean 0027, as in systemd and umask(1).
std::optional<int> parse_umask(YamlReader& reader, const YAML::Node& node, const std::string& path);
// `{nofile: 1024, core: 0, nproc: "512:1024", memlock: {soft: 64MiB, hard: unlimited}}`.
void parse_limits(YamlReader& reader, const YAML::Node& node, const std::string& path,
                  std::vector<ResourceLimit>& limits);

}  // namespace tend
