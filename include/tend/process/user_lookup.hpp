// Resolves `user:` and `group:` names or ids to the uid, gid and supplementary
// groups a service runs with. Done while loading the config, so a typo is a
// config error with a position, not a failure at spawn time.
#pragma once

#include <optional>
#include <string>

#include "tend/config/config.hpp"

namespace tend {

// Throws std::runtime_error with a message naming the user or group.
Credentials lookup_credentials(const std::string& user, const std::optional<std::string>& group);

}  // namespace tend
