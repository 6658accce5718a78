// The `env_file:` keys, of a service and of settings: a path, a list of
// paths, or compose's long form [{path: ..., required: false}]. Relative
// paths are relative to the directory of the file that names them, as in compose.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/interpolation.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

std::optional<std::vector<EnvFileRef>> parse_env_file_refs(YamlReader& reader, const YAML::Node& node,
                                                           const std::string& path);

// The variables of `files` in order, a later file's over an earlier's (and
// its $VAR sees the earlier files' variables); a missing file that is not
// required is skipped. Throws std::runtime_error
// naming the file ("/app/.env: No such file or directory").
std::map<std::string, std::string> read_env_files(const std::vector<EnvFileRef>& files, const VariableLookup& environment);

}  // namespace tend
