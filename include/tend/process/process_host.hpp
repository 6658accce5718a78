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
#include "tend/process/scope.hpp"
#include "tend/process/spawner.hpp"

namespace tend {

class ProcessHost {
public:
    virtual ~ProcessHost() = default;

    // The result's scope holds the new process and what it will start.
    virtual SpawnResult spawn(const SpawnRequest& request) = 0;
    // kill(2) semantics; false with errno set, ESRCH included.
    virtual bool signal(pid_t pid, int sig) = 0;
    // Every process of the scope, as a cgroup's kill would reach them; the
    // result and errno say how its group took it.
    virtual bool signal(const Scope& scope, int sig) = 0;
    // Something in the scope lives. Escaped processes found gone are dropped
    // from it, so a pid reused after its reaping is never taken for one.
    virtual bool alive(Scope& scope) = 0;
    virtual std::size_t size(const Scope& scope) = 0;
    virtual bool alive(pid_t pid) = 0;  // exists and is not a zombie
    // Puts into the scope, in place of those noted before, the descendants of
    // `main` that left it (setsid): from now on its signals reach them and it
    // is alive while they are. Nothing when main is 0 or nothing can leave.
    virtual void note_escaped(pid_t main, Scope& scope) = 0;
    // What is left of the session a scope's leader began, once the leader
    // is gone: every live member (those in other groups too).
    virtual std::vector<pid_t> session_members(const Scope& scope) = 0;
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
    bool alive(Scope& scope) override;
    std::size_t size(const Scope& scope) override;
    bool alive(pid_t pid) override;
    void note_escaped(pid_t main, Scope& scope) override;
    std::vector<pid_t> session_members(const Scope& scope) override;
    std::vector<pid_t> holding(int fd) override;
    void signal_all(bool is_pid1, int sig) override;
    EventSource watch_exits(EventLoop& loop, std::function<void()> reap_due) override;
    std::size_t reap(const ReapHandler& handler) override;
    bool has_children() override;

private:
    Spawner& spawner_;
};

}  // namespace tend
