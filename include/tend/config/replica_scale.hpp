// `tendctl scale NAME N`: the running services with one `replicas:` set at a
// new count. Instances past it go (the highest first when stopped), new ones
// are read from the set's recipe as the load read the others, and the
// services that depend on the set depend on each of its instances again.
// Pure: the supervisor applies the result as a reload applies a new config.
#pragma once

#include <string>

#include "tend/config/config.hpp"
#include "tend/config/config_loader.hpp"

namespace tend {

// Sets `name` (which must be in config.replica_sets) to `count` instances in
// `config`. New instances come right after the set's last one; throws
// ConfigError when one cannot be read (e.g. its user is gone).
void rescale(Config& config, const std::string& name, int count, const CredentialLookup& lookup = lookup_credentials);

}  // namespace tend
