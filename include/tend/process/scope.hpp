// The processes that make up a service, as one value the supervisor holds and
// hands back to the host. Today it is a process group (pgid == the main pid)
// plus the descendants that left it (setsid), noted when a stop begins; a
// cgroup can take its place without the supervisor changing. Only the host
// (process_host.cpp, and the fake in tests) looks inside.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace tend {

class Scope {
public:
    Scope() = default;  // holds nothing
    // What a spawn made: the new process heads its own group.
    static Scope process_group(pid_t pgid);

    bool empty() const { return group_ <= 0 && escaped_.empty(); }
    pid_t group() const { return group_; }
    // Processes outside the group that belong to the scope all the same.
    const std::vector<pid_t>& escaped() const { return escaped_; }
    void set_escaped(std::vector<pid_t> pids) { escaped_ = std::move(pids); }
    // Those found gone are dropped: a reaped pid may be reused.
    template <class Gone>
    void forget_escaped_if(Gone&& gone) {
        std::erase_if(escaped_, gone);
    }
    // For messages: "process group 42".
    std::string describe() const;

    bool operator==(const Scope&) const = default;

private:
    pid_t group_ = 0;
    std::vector<pid_t> escaped_;
};

}  // namespace tend
