#include "tend/process/reaper.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace tend {

std::size_t reap_all(const ReapHandler& handler) {
    // Every exit first, then the handler for each: a handler that starts a
    // child again (a zero-backoff restart) must not have that child's exit
    // reaped in this same drain, or crash loops keep it going for ever and
    // nothing else on the loop (the control socket) gets a turn.
    std::vector<std::pair<pid_t, ExitStatus>> exits;
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
        exits.emplace_back(info.si_pid, info.si_code == CLD_EXITED
                                            ? ExitStatus::exited(info.si_status)
                                            : ExitStatus::killed(info.si_status, info.si_code == CLD_DUMPED));
    }
    for (const auto& [pid, status] : exits) handler(pid, status);
    return exits.size();
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
