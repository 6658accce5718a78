// How a process ended: an exit code or a signal, as waitid(2) reports it, and
// the shell-style number (128+N for signal N) that tend exits with.
#pragma once

#include <string>

namespace tend {

struct ExitStatus {
    bool signaled = false;
    int value = 0;  // the exit code, or the signal number when signaled
    bool core_dumped = false;

    static ExitStatus exited(int code) { return {false, code, false}; }
    static ExitStatus killed(int sig, bool core = false) { return {true, sig, core}; }
    static ExitStatus from_wait_status(int status);

    int shell_code() const { return signaled ? 128 + value : value; }
    std::string describe() const;  // "exit code 3", "signal SIGKILL (core dumped)"
    bool operator==(const ExitStatus&) const = default;
};

}  // namespace tend
