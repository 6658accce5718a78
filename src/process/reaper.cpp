#include "tend/process/reaper.hpp"

#include <sys/wait.h>

#include <cerrno>

#include <spdlog/spdlog.h>

namespace tend {

std::size_t reap_all(const ReapHandler& handler) {
    std::size_t reaped = 0;
    for (;;) {
        siginfo_t info{};
        // WNOHANG: SIGCHLD is coalesced, so one signal may stand for many exits; drain
        // until nothing is left rather than reaping one per signal.
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0) {
            if (errno == EINTR) continue;
            if (errno != ECHILD) spdlog::warn("Failed to reap children: {}, ignoring", std::strerror(errno));
            break;
        }
        if (info.si_pid == 0) break;  // children exist, none has exited
        ++reaped;
        ExitStatus status = info.si_code == CLD_EXITED ? ExitStatus::exited(info.si_status)
                                                       : ExitStatus::killed(info.si_status, info.si_code == CLD_DUMPED);
        handler(info.si_pid, status);
    }
    return reaped;
}

bool has_children() {
    siginfo_t info{};
    for (;;) {
        // WNOWAIT peeks; WNOHANG returns 0 with si_pid 0 when children run but none exited.
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0) return true;
        if (errno != EINTR) return false;  // ECHILD: none at all
    }
}

}  // namespace tend
