#include "tend/process/process_host.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tend/process/process_tree.hpp"

namespace tend {

bool SystemProcessHost::signal(pid_t pid, int sig) { return pid > 0 && kill(pid, sig) == 0; }

bool SystemProcessHost::signal(const Scope& scope, int sig) { return !scope.empty() && kill(-scope.pgid, sig) == 0; }

bool SystemProcessHost::alive(const Scope& scope) { return process_group_alive(scope.pgid); }

std::size_t SystemProcessHost::size(const Scope& scope) { return process_group_size(scope.pgid); }

bool SystemProcessHost::alive(pid_t pid) { return process_alive(pid); }

std::vector<pid_t> SystemProcessHost::escaped(pid_t main, const Scope& scope) {
    std::vector<pid_t> out;
    if (main <= 0) return out;
    for (pid_t pid : descendants_of(main))
        if (getpgid(pid) != scope.pgid) out.push_back(pid);
    return out;
}

std::vector<pid_t> SystemProcessHost::session_members(pid_t sid) { return tend::session_members(sid); }

std::vector<pid_t> SystemProcessHost::holding(int fd) { return children_holding(fd); }

// As PID 1, kill(-1) reaches every process of the namespace but tend. Anywhere
// else it would reach the whole host, so only tend's own descendants are signalled.
void SystemProcessHost::signal_all(bool is_pid1, int sig) {
    if (!is_pid1) {
        signal_descendants(sig);
        return;
    }
    if (kill(-1, sig) < 0 && errno != ESRCH)
        spdlog::warn("Failed to send {} to all processes: {}", sig == SIGKILL ? "SIGKILL" : "SIGTERM",
                     std::strerror(errno));
}

std::size_t SystemProcessHost::reap(const ReapHandler& handler) { return reap_all(handler); }

bool SystemProcessHost::has_children() { return tend::has_children(); }

// One SIGCHLD source drains every exit (see reaper.hpp): sd-event's child
// sources would race that drain for the same zombies.
EventSource SystemProcessHost::watch_exits(EventLoop& loop, std::function<void()> reap_due) {
    return loop.add_signal(SIGCHLD, [reap_due = std::move(reap_due)](const signalfd_siginfo&) { reap_due(); });
}

}  // namespace tend
