// Reads tend.yaml (and its includes) into a Config, or throws ConfigError with
// every problem found, each with its position.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tend/config/config.hpp"
#include "tend/process/user_lookup.hpp"
#include "tend/util/image_root.hpp"

namespace tend {

// A config or include file past this is refused: no hand-written config is near it.
inline constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;

// Resolves `user:` and `group:` into credentials; throws CredentialError. The
// host's passwd and group databases by default; tests give their own.
using CredentialLookup = std::function<Credentials(const std::string& user, const std::optional<std::string>& group)>;

// Loads a config file and the files its settings.include globs name; an
// absolute glob is expanded under `root` (`tend check --root DIR`).
Config load_config_file(const std::string& path, const CredentialLookup& lookup = lookup_credentials,
                        const ImageRoot& root = {});

// Parses one document; `file` names it in messages. Includes are not followed.
Config parse_config(std::string_view text, const std::string& file, const CredentialLookup& lookup = lookup_credentials);

}  // namespace tend
