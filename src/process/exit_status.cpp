#include "tend/process/exit_status.hpp"

#include <sys/wait.h>

#include "tend/util/signal_names.hpp"

namespace tend {

ExitStatus ExitStatus::from_wait_status(int status) {
    if (WIFSIGNALED(status)) return killed(WTERMSIG(status), WCOREDUMP(status));
    return exited(WEXITSTATUS(status));
}

std::string ExitStatus::describe() const {
    if (!signaled) return "exit code " + std::to_string(value);
    return "signal " + signal_name(value) + (core_dumped ? " (core dumped)" : "");
}

}  // namespace tend
