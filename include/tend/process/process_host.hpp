// The one seam between the supervisor and the operating system: spawning,
// signalling, asking what is alive, hearing of exits and reaping them. The
// real host sits on the spawner, SIGCHLD, the reaper and /proc; tests
// substitute a fake that starts nothing and whose processes exit when the
// test says so. Time is not here: see Clock.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "tend/event/event_loop.hpp"
#include "tend/process/reaper.hpp"
#include "tend/process/spawner.hpp"

namespace tend {

// The processes that make up a service, as one value: its process group today
// (pgid == the main pid); a cgroup can take its place without the supervisor
// changing. An empty scope holds nothing.
struct Scope {
    pid_t pgid = 0;

    bool empty() const { return pgid <= 0; }
    bool operator==(const Scope&) const = default;
};

class ProcessHost {
public:
    virtual ~ProcessHost() = default;

    virtual SpawnResult spawn(const SpawnRequest& request) = 0;
    // kill(2) semantics; false with errno set, ESRCH included.
    virtual bool signal(pid_t pid, int sig) = 0;
    virtual bool signal(const Scope& scope, int sig) = 0;
    virtual bool alive(const Scope& scope) = 0;
    virtual std::size_t size(const Scope& scope) = 0;
    virtual bool alive(pid_t pid) = 0;  // exists and is not a zombie
    // Descendants of `main` that are not in `scope` (they called setsid).
    virtual std::vector<pid_t> escaped(pid_t main, const Scope& scope) = 0;
    // What is left of a session whose leader `sid` is gone: every live member.
    virtual std::vector<pid_t> session_members(pid_t sid) = 0;
    // tend's children (adopted orphans) holding the pipe `fd` is an end of, and their descendants.
    virtual std::vector<pid_t> holding(int fd) = 0;
    // Everything but tend: kill(-1) as PID 1, else tend's own descendants.
    virtual void signal_all(bool is_pid1, int sig) = 0;
    // `reap_due` runs from the loop whenever exited children may wait for
    // reap(): the real host's on SIGCHLD. Destroying the source stops it.
    virtual EventSource watch_exits(EventLoop& loop, std::function<void()> reap_due) = 0;
    virtual std::size_t reap(const ReapHandler& handler) = 0;
    virtual bool has_children() = 0;
};

// The real one.
class SystemProcessHost final : public ProcessHost {
public:
    explicit SystemProcessHost(Spawner& spawner) : spawner_(spawner) {}

    SpawnResult spawn(const SpawnRequest& request) override { return spawner_.spawn(request); }
    bool signal(pid_t pid, int sig) override;
    bool signal(const Scope& scope, int sig) override;
    bool alive(const Scope& scope) override;
    std::size_t size(const Scope& scope) override;
    bool alive(pid_t pid) override;
    std::vector<pid_t> escaped(pid_t main, const Scope& scope) override;
    std::vector<pid_t> session_members(pid_t sid) override;
    std::vector<pid_t> holding(int fd) override;
    void signal_all(bool is_pid1, int sig) override;
    EventSource watch_exits(EventLoop& loop, std::function<void()> reap_due) override;
    std::size_t reap(const ReapHandler& handler) override;
    bool has_children() override;

private:
    Spawner& spawner_;
};

}  // namespace tend
