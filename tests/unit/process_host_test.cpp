// The real host's scopes, with real processes: a spawn's scope, and a
// descendant that left its group (setsid) noted, signalled and let go.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tend/process/posix_spawner.hpp"
#include "tend/process/process_host.hpp"

namespace unit_process_host_test {

using namespace tend;
using namespace std::chrono_literals;

namespace {

// Whether the scope empties within a few seconds: a killed process outside
// this test's children is reaped by whoever adopted it, in its own time.
bool empties(ProcessHost& host, Scope& scope) {
    for (int i = 0; i < 500; ++i) {
        if (!host.alive(scope)) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

TEST_CASE("a spawned process heads the scope its spawn returns, alive until it is killed") {
    PosixSpawner spawner;
    SystemProcessHost host(spawner);
    SpawnRequest request;
    request.argv = {"sleep", "100"};
    request.environment = {"PATH=/usr/bin:/bin"};
    SpawnResult result = host.spawn(request);
    REQUIRE(result.ok());
    CHECK(result.scope == Scope::process_group(result.pid));
    CHECK(host.alive(result.scope));
    CHECK(host.size(result.scope) == 1);
    CHECK(host.signal(result.scope, SIGKILL));
    waitpid(result.pid, nullptr, 0);
    CHECK_FALSE(host.alive(result.scope));
    CHECK_FALSE(host.signal(result.scope, SIGKILL));
    CHECK(errno == ESRCH);
}

TEST_CASE("a descendant that called setsid is noted in the scope, signalled with it, and dropped once gone") {
    int left[2];
    REQUIRE(pipe(left) == 0);
    pid_t main = fork();
    REQUIRE(main >= 0);
    if (main == 0) {
        setpgid(0, 0);
        if (fork() == 0) {
            setsid();
            if (write(left[1], "x", 1) != 1) _exit(1);
            pause();
            _exit(0);
        }
        pause();
        _exit(0);
    }
    setpgid(main, main);  // either side may come first
    char c;
    REQUIRE(read(left[0], &c, 1) == 1);  // the worker has left the group
    close(left[0]);
    close(left[1]);

    PosixSpawner spawner;
    SystemProcessHost host(spawner);
    Scope scope = Scope::process_group(main);
    host.note_escaped(main, scope);
    REQUIRE(scope.escaped().size() == 1);
    pid_t worker = scope.escaped().front();
    CHECK(worker != main);
    CHECK(getpgid(worker) == worker);
    CHECK(host.size(scope) == 2);

    CHECK(host.signal(scope, SIGKILL));
    waitpid(main, nullptr, 0);
    CHECK(empties(host, scope));
    CHECK(scope.escaped().empty());  // no longer looked at: its pid may be reused
    CHECK_FALSE(host.alive(worker));
    if (host.alive(worker)) kill(worker, SIGKILL);  // a failed check must not leave it holding stdout
}

}  // namespace unit_process_host_test
