// `tend check`: load a config, print every error, say how many services it has.
#pragma once

#include <ostream>
#include <string>

namespace tend {

// Returns 0 when the config is valid, 1 when it is not.
int check_config(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace tend
