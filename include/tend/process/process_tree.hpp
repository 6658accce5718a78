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

// Every live process whose session is `sid` (what is left of a session once its leader is gone).
std::vector<pid_t> session_members(pid_t sid);

// tend's own children (orphans it adopted among them) that hold an fd open on
// the same pipe as `fd`, with all their descendants: what a probe left behind
// after leaving its session, found by the output pipe it still holds.
std::vector<pid_t> children_holding(int fd);

// Whether `pid` is one of the processes a service's `leader` (its main process,
// leader of its own group, and of its own session when `leads_session`) stands
// for: in its group or session, or below it in the parent chain. What systemd
// judges by the unit's cgroup. False when `pid` is gone or unreadable.
bool belongs_to(pid_t pid, pid_t leader, bool leads_session);

}  // namespace tend
