// The one place that collects exited children. Called on every SIGCHLD (and
// once at start-up); it drains every zombie, so none outlives a loop turn.
#pragma once

#include <sys/types.h>

#include <functional>

#include "tend/process/exit_status.hpp"

namespace tend {

using ReapHandler = std::function<void(pid_t pid, const ExitStatus& status)>;

// Reaps every exited child without blocking; returns how many.
std::size_t reap_all(const ReapHandler& handler);

// Whether tend has any child left (alive or zombie), without reaping it.
bool has_children();

}  // namespace tend
