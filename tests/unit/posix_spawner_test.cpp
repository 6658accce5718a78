#include <doctest/doctest.h>

#include <cerrno>
#include <sys/wait.h>
#include <unistd.h>

#include "tend/process/posix_spawner.hpp"

using namespace tend;

namespace {

int wait_for(pid_t pid) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return status;
}

SpawnRequest request(std::vector<std::string> argv) {
    SpawnRequest r;
    r.argv = std::move(argv);
    r.environment = {"PATH=/usr/bin:/bin", "GREETING=hello"};
    return r;
}

}  // namespace

TEST_CASE("executables are found in PATH as execvp would") {
    int error = 0;
    CHECK(resolve_executable("sh", "/nonexistent:/bin", error) == "/bin/sh");
    CHECK(resolve_executable("no-such-program-xyz", "/bin:/usr/bin", error).empty());
    CHECK(error == ENOENT);
    CHECK(resolve_executable("/etc/passwd", "/bin", error).empty());
    CHECK(error == EACCES);
}

TEST_CASE("a missing program is a spawn error with the errno text, not a crash") {
    PosixSpawner spawner;
    auto r = spawner.spawn(request({"no-such-program-xyz"}));
    CHECK_FALSE(r.ok());
    CHECK(r.error == ENOENT);
    CHECK(r.what == "failed to exec no-such-program-xyz: No such file or directory");
}

TEST_CASE("a bad working directory is reported with the directory") {
    PosixSpawner spawner;
    auto req = request({"true"});
    req.working_dir = "/nonexistent-dir";
    auto r = spawner.spawn(req);
    CHECK_FALSE(r.ok());
    CHECK(r.what == "failed to change directory to /nonexistent-dir: No such file or directory");
}

TEST_CASE("the child gets its own session, an empty signal mask, the environment and cwd") {
    PosixSpawner spawner;
    sigset_t blocked, old;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &old);
    auto req = request({"sh", "-c",
                        "test \"$(ps -o sid= -p $$ | tr -d ' ')\" = $$ && "
                        "test \"$(awk '/^SigBlk/{print $2}' /proc/$$/status)\" = 0000000000000000 && "
                        "test \"$GREETING\" = hello && test \"$(pwd)\" = /tmp && "
                        "test \"$(ls /proc/$$/fd | wc -l)\" -le 4"});
    req.working_dir = "/tmp";
    auto r = spawner.spawn(req);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    REQUIRE(r.ok());
    int status = wait_for(r.pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("credentials drop to the given uid and gid") {
    if (getuid() != 0) return;  // only root can change uid
    PosixSpawner spawner;
    auto req = request({"sh", "-c", "test $(id -u) = 65534 && test $(id -g) = 65534"});
    req.credentials = Credentials{"nobody", 65534, 65534, {65534}};
    auto r = spawner.spawn(req);
    REQUIRE(r.ok());
    int status = wait_for(r.pid);
    CHECK(WEXITSTATUS(status) == 0);
}
