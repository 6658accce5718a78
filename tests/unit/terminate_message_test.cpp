// The message of a program of tend's that std::terminate ends: run in a child
// process, whose stderr is read and whose end (SIGABRT) is checked.
#include "tend/util/terminate_message.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <stdexcept>
#include <string>

#include "tend/util/unique_fd.hpp"

namespace unit_terminate_message_test {

namespace {

// What the child wrote to stderr before it ended, and whether SIGABRT ended it.
template <typename Body>
std::string ended_by_terminate(Body body) {
    int pipe_ends[2];
    REQUIRE(pipe(pipe_ends) == 0);
    tend::UniqueFd read_end(pipe_ends[0]);
    tend::UniqueFd write_end(pipe_ends[1]);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        dup2(write_end.get(), STDERR_FILENO);
        signal(SIGABRT, SIG_DFL);  // not the test runner's crash report
        tend::install_terminate_message();
        body();
        _exit(0);
    }
    write_end.reset();
    std::string said;
    char buffer[512];
    for (ssize_t n; (n = read(read_end.get(), buffer, sizeof buffer)) > 0;) said.append(buffer, static_cast<std::size_t>(n));
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
    return said;
}

void throw_config_vanished() { throw std::runtime_error("the config vanished"); }
// Through a pointer the compiler cannot see into, so it does not warn that the throw always terminates.
void (*volatile thrower)() = throw_config_vanished;
void throw_through_noexcept() noexcept { thrower(); }

}  // namespace

TEST_CASE("an uncaught exception ends the program with its what() on stderr, then SIGABRT") {
    std::string said = ended_by_terminate([] { throw_through_noexcept(); });
    CHECK(said.find(": terminated by an uncaught exception: the config vanished\n") != std::string::npos);
}

TEST_CASE("terminate without an exception says so") {
    CHECK(ended_by_terminate([] { std::terminate(); }).find(": terminated without an active exception\n") !=
          std::string::npos);
}

}  // namespace unit_terminate_message_test
