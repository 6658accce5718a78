// Starting a service's process: the request, the result, and the interface the
// supervisor calls, so tests can substitute a fake that starts nothing.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tend/process/credentials.hpp"
#include "tend/process/resource_limits.hpp"
#include "tend/process/scope.hpp"

namespace tend {

struct SpawnRequest {
    std::vector<std::string> argv;
    std::vector<std::string> environment;  // "KEY=value", the complete environment
    std::string working_dir;               // empty: tend's own
    std::optional<Credentials> credentials;
    bool new_session = true;       // setsid(); false: only a new process group (tend -- CMD)
    bool take_terminal = false;    // with !new_session: make the group the terminal's foreground
    int stdin_fd = -1;             // -1: /dev/null
    int stdout_fd = -1;            // -1: tend's own
    int stderr_fd = -1;
    // One more fd the service gets, at number `pass_fd_as` (>= 3): the write end
    // of an s6-style readiness pipe. -1: none.
    int pass_fd = -1;
    int pass_fd_as = -1;
    // Hardening, applied in the child before it drops to `credentials`.
    int umask = -1;                     // -1: tend's own
    std::vector<ResourceLimit> limits;  // after the open-files limit is restored
    bool no_new_privileges = false;     // PR_SET_NO_NEW_PRIVS: setuid binaries and file caps grant nothing
};

struct SpawnResult {
    pid_t pid = -1;
    int error = 0;      // errno of the step that failed
    std::string what;   // "failed to exec nginx: No such file or directory"
    Scope scope;        // what the new process heads: its own process group

    bool ok() const { return pid > 0; }
};

class Spawner {
public:
    virtual ~Spawner() = default;
    virtual SpawnResult spawn(const SpawnRequest& request) = 0;
};

}  // namespace tend
