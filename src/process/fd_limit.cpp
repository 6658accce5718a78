#include "tend/process/fd_limit.hpp"

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace tend {

std::optional<rlimit> raise_fd_limit() {
    rlimit original{};
    if (getrlimit(RLIMIT_NOFILE, &original) < 0) {
        spdlog::warn("Failed to read the open-files limit: {}, leaving it", std::strerror(errno));
        return std::nullopt;
    }
    if (original.rlim_cur >= original.rlim_max) return std::nullopt;
    rlimit raised = original;
    raised.rlim_cur = original.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) < 0) {
        spdlog::warn("Failed to raise the open-files limit to {}: {}, leaving it at {}", raised.rlim_cur,
                     std::strerror(errno), original.rlim_cur);
        return std::nullopt;
    }
    spdlog::debug("Raised the open-files limit from {} to {}; services get {}", original.rlim_cur, raised.rlim_cur,
                  original.rlim_cur);
    return original;
}

}  // namespace tend
