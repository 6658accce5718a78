// What /proc and kill(2) say about processes tend no longer tracks one by one:
// whether a process group still has members, and the descendants of a pid
// (for the final sweep when tend is not PID 1 and kill(-1) would hit the host).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <vector>

namespace tend {

bool process_group_alive(pid_t pgid);

// The process exists and is not a zombie.
bool process_alive(pid_t pid);

// How many live (not zombie) processes are in the group, read from /proc/*/stat.
std::size_t process_group_size(pid_t pgid);

// Every process below `root` in the parent chain, read from /proc/*/stat.
std::vector<pid_t> descendants_of(pid_t root);

// Sends `sig` to every descendant of this process; returns how many were signalled.
std::size_t signal_descendants(int sig);

}  // namespace tend
