// Pids as tendctl's caller sees them. tend answers with pids of its own PID
// namespace; from an outer one (tend as a container's PID 1, tendctl on the
// host) those numbers name other processes, or none. The control socket's peer
// credentials give tend's pid where the caller is (the kernel translates it);
// the NSpid lines of /proc/PID/status translate the pids of tend's descendants.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tend {

// The NSpid line of /proc/PID/status: the pid in /proc's namespace first, the
// pid in the process's own namespace last. Empty when there is none (before Linux 4.1).
std::vector<long> parse_nspid(std::string_view status_text);

// A process below tend: its pid where the caller is, and its NSpid.
using Descendant = std::pair<long, std::vector<long>>;

// The pid where the caller is of what tend (NSpid `tend_nspid`) knows as `inner`:
// one of `descendants` in tend's own namespace (as many NSpid columns as tend's)
// whose last column is `inner`. nullopt when none is.
std::optional<long> pid_where_caller_is(const std::vector<long>& tend_nspid, const std::vector<Descendant>& descendants,
                                        long inner);

class PidView {
public:
    // `tend_pid`: tend's pid as the caller sees it (SO_PEERCRED on the control
    // socket); 0 when tend is in no namespace the caller can see into. Reads /proc.
    explicit PidView(long tend_pid);

    // `inner`, a pid tend reported, as the caller sees it. Throws
    // std::runtime_error saying why it cannot be mapped.
    long outer(long inner) const;

private:
    long tend_pid_;
    std::vector<long> tend_nspid_;
    std::string unmappable_;  // why no pid can be mapped; empty when they can
};

}  // namespace tend
