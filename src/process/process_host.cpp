#include "tend/process/process_host.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>

#include "tend/process/process_tree.hpp"

namespace tend {

bool SystemProcessHost::signal(pid_t pid, int sig) { return pid > 0 && kill(pid, sig) == 0; }

// The group first: its result and errno are the answer. Those outside it get
// the signal too, whatever the group's answer (a dead leader's setsid'd
// children outlive its group).
bool SystemProcessHost::signal(const Scope& scope, int sig) {
    bool sent = scope.group() > 0 && kill(-scope.group(), sig) == 0;
    int error = scope.group() > 0 ? errno : ESRCH;
    for (pid_t pid : scope.escaped()) kill(pid, sig);
    errno = error;
    return sent;
}

bool SystemProcessHost::alive(Scope& scope) {
    scope.forget_escaped_if([](pid_t pid) { return !process_alive(pid); });
    return process_group_alive(scope.group()) || !scope.escaped().empty();
}

std::size_t SystemProcessHost::size(const Scope& scope) {
    return process_group_size(scope.group()) + scope.escaped().size();
}

bool SystemProcessHost::alive(pid_t pid) { return process_alive(pid); }

void SystemProcessHost::note_escaped(pid_t main, Scope& scope) {
    std::vector<pid_t> out;
    if (main > 0)
        for (pid_t pid : descendants_of(main))
            if (getpgid(pid) != scope.group()) out.push_back(pid);
    scope.set_escaped(std::move(out));
}

std::vector<pid_t> SystemProcessHost::session_members(const Scope& scope) {
    return tend::session_members(scope.group());
}

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
