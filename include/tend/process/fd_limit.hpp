// The open-files limit. Each captured service holds four pipe ends in tend, so
// tend raises its own soft limit to the hard one at start-up; services get the
// limit tend was started with, as programs that use select() expect.
#pragma once

#include <sys/resource.h>

#include <optional>

namespace tend {

// Returns the limit as it was when it was raised, nullopt when it was left alone.
std::optional<rlimit> raise_fd_limit();

}  // namespace tend
