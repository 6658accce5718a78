// `tend -- CMD ARGS...`: the config of one critical service that never restarts.
#pragma once

#include <string>
#include <vector>

#include "tend/config/config.hpp"

namespace tend {

Config exec_mode_config(const std::vector<std::string>& command, Duration grace);

}  // namespace tend
