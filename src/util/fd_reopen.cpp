#include "tend/util/fd_reopen.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdio>

namespace tend {

UniqueFd reopen_fd(int fd, int flags) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int opened;
    do opened = open(path, flags);
    while (opened < 0 && errno == EINTR);
    return UniqueFd(opened);
}

}  // namespace tend
