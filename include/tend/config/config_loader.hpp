// Reads tend.yaml (and its includes) into a Config, or throws ConfigError with
// every problem found, each with its position.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tend/config/config.hpp"

namespace tend {

// A config or include file past this is refused: no hand-written config is near it.
inline constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;

// Loads a config file and the files its settings.include globs name.
Config load_config_file(const std::string& path);

// Parses one document; `file` names it in messages. Includes are not followed.
Config parse_config(std::string_view text, const std::string& file);

}  // namespace tend
