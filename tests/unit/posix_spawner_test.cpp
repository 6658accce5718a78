#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "tend/process/posix_spawner.hpp"

namespace unit_posix_spawner_test {

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

TEST_CASE("a relative program is looked for in the working directory the child will run in") {
    // tend's own directory has no ./sh; /bin has, and the child changes to /bin before exec.
    int error = 0;
    REQUIRE(access("./sh", F_OK) < 0);
    CHECK(resolve_executable("./sh", "", error, "/bin") == "./sh");
    CHECK(resolve_executable("./sh", "", error).empty());
    CHECK(error == ENOENT);
    CHECK(resolve_executable("sh", ".", error, "/bin") == "./sh");  // a relative PATH entry too
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

TEST_CASE("umask, limits and no_new_privileges reach the child") {
    PosixSpawner spawner;
    auto req = request({"sh", "-c",
                        "test $(umask) = 0027 && test $(ulimit -n) = 256 && test $(ulimit -Hn) = 512 && "
                        "test $(ulimit -c) = 0 && grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$$/status"});
    req.umask = 027;
    req.limits = {{RLIMIT_NOFILE, 256, 512}, {RLIMIT_CORE, 0, 0}};
    req.no_new_privileges = true;
    auto r = spawner.spawn(req);
    REQUIRE(r.ok());
    CHECK(WEXITSTATUS(wait_for(r.pid)) == 0);
}

TEST_CASE("a limit the child may not set is a spawn error naming the limit and value") {
    rlimit own{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &own) == 0);
    if (own.rlim_max == RLIM_INFINITY) return;
    PosixSpawner spawner;
    auto req = request({"true"});
    // Above the hard limit: refused even for root when past the kernel's nr_open.
    req.limits = {{RLIMIT_NOFILE, RLIM_INFINITY, RLIM_INFINITY}};
    auto r = spawner.spawn(req);
    CHECK_FALSE(r.ok());
    CHECK(r.what == std::string("failed to set the limit nofile to unlimited: ") + std::strerror(r.error));
}

}  // namespace unit_posix_spawner_test
