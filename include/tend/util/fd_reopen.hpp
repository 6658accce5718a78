// A new open file description of what an fd refers to, through
// /proc/self/fd: for a pipe, another end of the same pipe, with flags of its
// own (a non-blocking writer to a stdout others share, a write end for a
// child). Needs /proc.
#pragma once

#include "tend/util/unique_fd.hpp"

namespace tend {

// `flags` as open(2)'s; an empty UniqueFd with errno set when it fails.
UniqueFd reopen_fd(int fd, int flags);

}  // namespace tend
