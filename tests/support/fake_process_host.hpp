// A ProcessHost that starts nothing: spawns get made-up pids, signals are
// recorded, and a process exits when the test says so or when it gets a
// signal it does not ignore. Each fake service is one process, its own group;
// escape() gives it a descendant outside that group, as setsid would.
// An exit reaches the watcher as a real one does: on the next loop turn, as
// its reap_due (where the real host has SIGCHLD), then through reap().
// Read ninja's FakeCommandRunner (build_test.cc) for where the idea comes from.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tend/process/process_host.hpp"

namespace tend {

class FakeProcessHost final : public ProcessHost {
public:
    struct Sent {
        pid_t target;  // -pgid for a scope, pid for a process
        int signal;
        bool operator==(const Sent&) const = default;
    };

    // What happened, in order.
    std::vector<std::pair<pid_t, std::string>> spawned;  // pid, argv[0]
    std::vector<std::string> last_environment;          // the last spawn's
    std::vector<Sent> sent;
    // Processes (by argv[0]) that survive SIGTERM/SIGINT/SIGQUIT: only SIGKILL ends them.
    std::set<std::string> ignore_stop_signals;
    // What holding() finds: processes that hold a pipe, as if adopted by tend.
    std::vector<pid_t> holders;

    FakeProcessHost() = default;
    ~FakeProcessHost() override {
        if (auto unhook = unhook_.lock()) unhook->host = nullptr;
        for (const auto& [pid, fd] : stdout_held_) close(fd);
    }
    FakeProcessHost(const FakeProcessHost&) = delete;
    FakeProcessHost& operator=(const FakeProcessHost&) = delete;

    // The process ends (an exit code, or killed by a signal): it is no longer
    // alive, waits to be reaped, and its watcher hears of it on the next turn.
    void exit(pid_t pid, ExitStatus status) {
        if (!live_.erase(pid)) return;
        if (auto held = stdout_held_.find(pid); held != stdout_held_.end()) {
            close(held->second);
            stdout_held_.erase(held);
        }
        zombies_.emplace_back(pid, status);
        EventLoop::schedule(exits_);
    }
    // A process tend did not start (an orphan re-parented to it), alive until
    // it exits or is killed; not among `spawned`.
    pid_t adopt(const std::string& name) {
        pid_t pid = next_pid_++;
        live_.insert(pid);
        names_[pid] = name;
        return pid;
    }
    pid_t pid_of(const std::string& program) const {
        for (auto it = spawned.rbegin(); it != spawned.rend(); ++it)
            if (it->second == program) return it->first;
        return 0;
    }
    std::vector<int> signals_to(pid_t pid) const {
        std::vector<int> out;
        for (const Sent& s : sent)
            if (s.target == pid || s.target == -pid) out.push_back(s.signal);
        return out;
    }
    // The first signal it was sent, 0 when none (a test that fails must not crash).
    int first_signal_to(pid_t pid) const {
        auto all = signals_to(pid);
        return all.empty() ? 0 : all.front();
    }
    bool is_alive(pid_t pid) const { return live_.contains(pid); }
    // A descendant of `main` that left its group (setsid): only note_escaped finds it.
    pid_t escape(pid_t main, const std::string& program) {
        pid_t pid = next_pid_++;
        live_.insert(pid);
        names_[pid] = program;
        escapees_[main].push_back(pid);
        return pid;
    }

    SpawnResult spawn(const SpawnRequest& request) override {
        pid_t pid = next_pid_++;
        live_.insert(pid);
        names_[pid] = request.argv.empty() ? "" : request.argv.front();
        spawned.emplace_back(pid, names_[pid]);
        last_environment = request.environment;
        // A process holds its stdout until it exits: a pipe's reader sees no end before.
        if (request.stdout_fd >= 0) stdout_held_[pid] = fcntl(request.stdout_fd, F_DUPFD_CLOEXEC, 0);
        return {pid, 0, "", Scope::process_group(pid)};
    }
    bool signal(pid_t pid, int sig) override { return deliver(pid, pid, sig); }
    bool signal(const Scope& scope, int sig) override {
        bool delivered = deliver(-scope.group(), scope.group(), sig);
        int error = errno;
        for (pid_t pid : scope.escaped()) deliver(pid, pid, sig);
        errno = error;
        return delivered;
    }
    bool alive(Scope& scope) override {
        scope.forget_escaped_if([this](pid_t pid) { return !live_.contains(pid); });
        return live_.contains(scope.group()) || !scope.escaped().empty();
    }
    std::size_t size(const Scope& scope) override {
        return (live_.contains(scope.group()) ? 1 : 0) + scope.escaped().size();
    }
    bool alive(pid_t pid) override { return live_.contains(pid); }
    void note_escaped(pid_t main, Scope& scope) override {
        std::vector<pid_t> found;
        if (live_.contains(main))  // descendants are found through their parent
            for (pid_t pid : escapees_[main])
                if (live_.contains(pid)) found.push_back(pid);
        scope.set_escaped(std::move(found));
    }
    std::vector<pid_t> session_members(const Scope&) override { return {}; }
    std::vector<pid_t> holding(int) override { return holders; }
    void signal_all(bool, int sig) override {
        for (pid_t pid : std::set<pid_t>(live_)) deliver(pid, pid, sig);
    }
    // The watcher owns the source; once it is gone (a supervisor being
    // destroyed kills its probes on the way), exits are no longer told.
    EventSource watch_exits(EventLoop& loop, std::function<void()> reap_due) override {
        auto unhook = std::make_shared<Unhook>(this);
        unhook_ = unhook;
        EventSource source = loop.add_post([reap_due = std::move(reap_due), unhook] { reap_due(); });
        exits_ = source.get();
        if (!zombies_.empty()) EventLoop::schedule(exits_);
        return source;
    }
    std::size_t reap(const ReapHandler& handler) override {
        auto ready = std::exchange(zombies_, {});
        for (const auto& [pid, status] : ready) handler(pid, status);
        return ready.size();
    }
    bool has_children() override { return !live_.empty() || !zombies_.empty(); }

private:
    bool deliver(pid_t target, pid_t pid, int sig) {
        sent.push_back({target, sig});
        if (!live_.contains(pid)) {
            errno = ESRCH;
            return false;
        }
        bool stops = sig == SIGKILL || ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) &&
                                        !ignore_stop_signals.contains(names_[pid]));
        if (stops) exit(pid, ExitStatus::killed(sig));
        return true;
    }

    // Held by the watcher's source: forgets it as the source is freed.
    struct Unhook {
        explicit Unhook(FakeProcessHost* h) : host(h) {}  // clang 14 has no aggregate init from parentheses
        FakeProcessHost* host;
        ~Unhook() {
            if (host) host->exits_ = nullptr;
        }
    };
    sd_event_source* exits_ = nullptr;  // the watcher's (watch_exits)
    std::weak_ptr<Unhook> unhook_;
    pid_t next_pid_ = 100;
    std::map<pid_t, int> stdout_held_;  // a copy of each live process's stdout
    std::set<pid_t> live_;
    std::map<pid_t, std::string> names_;
    std::map<pid_t, std::vector<pid_t>> escapees_;  // by the main pid they left
    std::vector<std::pair<pid_t, ExitStatus>> zombies_;
};

}  // namespace tend
