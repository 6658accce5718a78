// The real Spawner: clone(CLONE_VM|CLONE_VFORK) into a child that resets what a
// service must not inherit from tend, then execs.
#pragma once

#include "tend/process/spawner.hpp"

namespace tend {

class PosixSpawner final : public Spawner {
public:
    SpawnResult spawn(const SpawnRequest& request) override;
};

// The executable execve() would run for argv0, searched in PATH as execvp does.
// Returns the path, or sets `error` (ENOENT, EACCES) and returns "".
std::string resolve_executable(const std::string& argv0, const std::string& path_variable, int& error);

}  // namespace tend
