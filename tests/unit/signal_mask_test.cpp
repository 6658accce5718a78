#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "tend/event/signal_mask.hpp"

namespace unit_signal_mask_test {

using namespace tend;

namespace {

// In a forked child: the fault signals at their default action (not the test
// framework's crash handler) and no core file.
void as_tend_starts() {
    for (int sig : kFaultSignals) std::signal(sig, SIG_DFL);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    block_signals();
}

// Runs `fault` in a child with every signal blocked, as tend supervises, and
// returns how the child ended.
template <typename Fault>
int wait_status_after(Fault fault) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        as_tend_starts();
        block_fault_signals();
        fault();
        _exit(0);  // the fault was held back: the test sees exit 0
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return status;
}

int volatile* volatile null_pointer = nullptr;
int volatile zero = 0;

// The store through null must reach the processor: UBSan would report it and
// exit before the fault.
__attribute__((no_sanitize("null"))) void store_through_null() { *null_pointer = 1; }

}  // namespace

// tend blocks the fault signals to read kill(2)-sent ones; a real fault must still kill it.
TEST_CASE("a real fault is fatal with the fault signals blocked") {
    int status = wait_status_after([] { store_through_null(); });
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
    status = wait_status_after([] { std::abort(); });
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
#if defined(__x86_64__)
    // The division in the instruction itself: in C++ it is undefined, and UBSan
    // would report it and exit before the processor faults.
    status = wait_status_after([] {
        int divisor = zero;
        asm volatile("movl $7, %%eax; cltd; idivl %0" : : "r"(divisor) : "eax", "edx");
    });
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGFPE);
#endif
}

TEST_CASE("a kill(2)-sent fault signal is held for signalfd once the fault signals are blocked") {
    int status = wait_status_after([] {
        kill(getpid(), SIGSEGV);
        sigset_t pending;
        sigpending(&pending);
        if (!sigismember(&pending, SIGSEGV)) _exit(3);
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    // block_signals alone (tend check, import, schema) leaves it at its default action.
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        as_tend_starts();
        kill(getpid(), SIGSEGV);
        _exit(0);
    }
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
}

}  // namespace unit_signal_mask_test
