// The real Spawner: clone(CLONE_VM|CLONE_VFORK) into a child that resets what a
// service must not inherit from tend, then execs.
#pragma once

#include <sys/resource.h>

#include <optional>

#include "tend/process/spawner.hpp"

namespace tend {

class PosixSpawner final : public Spawner {
public:
    // `child_nofile`: the open-files limit to give services (tend's own was raised).
    explicit PosixSpawner(std::optional<rlimit> child_nofile = std::nullopt) : child_nofile_(child_nofile) {}
    SpawnResult spawn(const SpawnRequest& request) override;

private:
    std::optional<rlimit> child_nofile_;
};

// The executable execve() would run for argv0, searched in PATH as execvp does,
// by a child that first changes to `working_dir` (a relative argv0 or PATH entry
// is looked at from there). Returns the path, or sets `error` (ENOENT, EACCES) and returns "".
std::string resolve_executable(const std::string& argv0, const std::string& path_variable, int& error,
                               const std::string& working_dir = "");

}  // namespace tend
