// tend's own log: spdlog to stderr, as text lines or one JSON object per line.
#pragma once

#include <string>

#include <spdlog/common.h>

#include "tend/config/config.hpp"

namespace tend {

void setup_logging(LogFormat format, const std::string& level);
// Sends the log somewhere else (see QueuedLog), in the format set up last.
void set_log_sink(spdlog::sink_ptr sink);

}  // namespace tend
