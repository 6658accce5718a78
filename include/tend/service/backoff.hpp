// Exponential restart delay: initial * factor^(failures-1), capped at max.
#pragma once

#include "tend/config/config.hpp"

namespace tend {

// `failures` counts consecutive failed starts, from 1.
Duration backoff_delay(const Backoff& backoff, int failures);

}  // namespace tend
