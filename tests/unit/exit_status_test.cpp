#include <doctest/doctest.h>

#include <csignal>
#include <sys/wait.h>

#include "tend/process/exit_status.hpp"

namespace unit_exit_status_test {

using namespace tend;

TEST_CASE("an exit code maps to itself and a signal to 128+N") {
    CHECK(ExitStatus::exited(0).shell_code() == 0);
    CHECK(ExitStatus::exited(255).shell_code() == 255);
    CHECK(ExitStatus::killed(SIGKILL).shell_code() == 137);
    CHECK(ExitStatus::killed(SIGTERM).shell_code() == 143);
}

TEST_CASE("exit statuses describe themselves for log lines") {
    CHECK(ExitStatus::exited(3).describe() == "exit code 3");
    CHECK(ExitStatus::killed(SIGKILL).describe() == "signal SIGKILL");
    CHECK(ExitStatus::killed(SIGSEGV, true).describe() == "signal SIGSEGV (core dumped)");
}

TEST_CASE("raw wait statuses decode") {
    CHECK(ExitStatus::from_wait_status(3 << 8) == ExitStatus::exited(3));
    CHECK(ExitStatus::from_wait_status(SIGTERM) == ExitStatus::killed(SIGTERM));
}

}  // namespace unit_exit_status_test
