// tend's own log: spdlog to stderr, as text lines or one JSON object per line.
#pragma once

#include <string>

#include "tend/config/config.hpp"

namespace tend {

void setup_logging(LogFormat format, const std::string& level);

}  // namespace tend
