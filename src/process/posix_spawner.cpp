#include "tend/process/posix_spawner.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tend {
namespace {

constexpr std::size_t kChildStackSize = 64 * 1024;

// Everything the child needs, prepared by the parent: after clone the child
// only makes syscalls (it shares tend's memory until execve, so no malloc, no locks).
struct ChildContext {
    const char* path;
    char* const* argv;
    char* const* envp;
    const char* working_dir;
    const gid_t* groups;
    std::size_t group_count;
    gid_t gid;
    uid_t uid;
    bool set_credentials;
    bool new_session;
    bool take_terminal;
    int stdin_fd, stdout_fd, stderr_fd;
    int pass_fd, pass_fd_as;  // -1: none
    const rlimit* nofile;  // restore this open-files limit, or null
    const ResourceLimit* limits;
    std::size_t limit_count;
    int umask;  // -1: keep tend's
    bool no_new_privileges;
    // Written by the child on failure; read by the parent once the child has
    // exec'd or exited (CLONE_VFORK suspends the parent until then).
    int error;
    const char* stage;
    int failed_resource;  // with stage "set a resource limit"
};

// The child runs on its own small stack inside tend's memory: sanitizer
// instrumentation there would misread that stack as tend's and report nonsense.
#define TEND_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

[[noreturn]] TEND_CHILD_CODE void child_fail(ChildContext* c, const char* stage) {
    c->error = errno;
    c->stage = stage;
    _exit(127);
}

// tend blocks every signal to read them through signalfd and may ignore some;
// a service must start with default dispositions and an empty mask.
TEND_CHILD_CODE void child_reset_signals(ChildContext* c) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // KILL/STOP fail harmlessly
    sigset_t empty;
    sigemptyset(&empty);
    if (sigprocmask(SIG_SETMASK, &empty, nullptr) < 0) child_fail(c, "reset the signal mask");
}

// Own session (and so own process group, pgid == pid): signals for the
// service reach all of it and none of tend or the other services.
TEND_CHILD_CODE void child_own_group(ChildContext* c) {
    if (c->new_session) {
        if (setsid() < 0) child_fail(c, "create a session");
        return;
    }
    if (setpgid(0, 0) < 0) child_fail(c, "create a process group");
    if (c->take_terminal) {
        // A background group may not take the terminal unless SIGTTOU is ignored.
        struct sigaction ign {}, dfl {};
        ign.sa_handler = SIG_IGN;
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGTTOU, &ign, nullptr);
        tcsetpgrp(STDIN_FILENO, getpid());  // ENOTTY: no terminal, nothing to take
        sigaction(SIGTTOU, &dfl, nullptr);
    }
}

TEND_CHILD_CODE void child_set_up_fds(ChildContext* c) {
    if (c->stdin_fd >= 0 && c->stdin_fd != STDIN_FILENO && dup2(c->stdin_fd, STDIN_FILENO) < 0)
        child_fail(c, "set up stdin");
    if (c->stdout_fd >= 0 && c->stdout_fd != STDOUT_FILENO && dup2(c->stdout_fd, STDOUT_FILENO) < 0)
        child_fail(c, "set up stdout");
    if (c->stderr_fd >= 0 && c->stderr_fd != STDERR_FILENO && dup2(c->stderr_fd, STDERR_FILENO) < 0)
        child_fail(c, "set up stderr");
    if (c->pass_fd >= 0) {
        if (c->pass_fd == c->pass_fd_as) {
            if (fcntl(c->pass_fd, F_SETFD, 0) < 0) child_fail(c, "pass the readiness fd");
        } else if (dup2(c->pass_fd, c->pass_fd_as) < 0) {
            child_fail(c, "pass the readiness fd");
        }
    }
}

// Limits first, while still root (only root may raise a hard limit); then
// groups, gid, uid: after the uid drop the others are no longer allowed.
TEND_CHILD_CODE void child_limit_and_drop(ChildContext* c) {
    if (c->nofile && setrlimit(RLIMIT_NOFILE, c->nofile) < 0) child_fail(c, "restore the open-files limit");
    for (std::size_t i = 0; i < c->limit_count; ++i) {
        const rlimit value{c->limits[i].soft, c->limits[i].hard};
        if (setrlimit(static_cast<__rlimit_resource>(c->limits[i].resource), &value) < 0) {
            c->failed_resource = c->limits[i].resource;
            child_fail(c, "set the limit");
        }
    }
    if (c->umask >= 0) umask(static_cast<mode_t>(c->umask));
    if (c->working_dir && chdir(c->working_dir) < 0) child_fail(c, "change directory");
    if (c->set_credentials) {
        if (setgroups(c->group_count, c->groups) < 0) child_fail(c, "set supplementary groups");
        if (setgid(c->gid) < 0) child_fail(c, "set gid");
        if (setuid(c->uid) < 0) child_fail(c, "set uid");
    }
    if (c->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail(c, "set no_new_privileges");
}

// tend's own fds are CLOEXEC, but a library's may not be: close everything
// past stdio but the passed fd.
TEND_CHILD_CODE void child_close_inherited(ChildContext* c) {
    const int keep = c->pass_fd >= 0 ? c->pass_fd_as : -1;
    if (keep < 0) {
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
            for (int fd = 3; fd < 65536; ++fd) close(fd);
        return;
    }
    bool ranges_closed = (keep == 3 || syscall(SYS_close_range, 3U, static_cast<unsigned>(keep - 1), 0U) == 0) &&
                         syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0U, 0U) == 0;
    if (!ranges_closed)
        for (int fd = 3; fd < 65536; ++fd)
            if (fd != keep) close(fd);
}

TEND_CHILD_CODE int child_main(void* arg) {
    auto* c = static_cast<ChildContext*>(arg);
    child_reset_signals(c);
    child_own_group(c);
    child_set_up_fds(c);
    child_limit_and_drop(c);
    child_close_inherited(c);
    execve(c->path, c->argv, c->envp);
    child_fail(c, "exec");
}

// The child's stack, allocated once: clone needs one and tend is single-threaded.
char* child_stack_top() {
    static char* top = [] {
        void* stack = mmap(nullptr, kChildStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                           -1, 0);
        return stack == MAP_FAILED ? nullptr : static_cast<char*>(stack) + kChildStackSize;
    }();
    return top;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

std::string path_variable(const std::vector<std::string>& environment) {
    for (const auto& entry : environment)
        if (entry.starts_with("PATH=")) return entry.substr(5);
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

}  // namespace

std::string resolve_executable(const std::string& argv0, const std::string& path_variable, int& error,
                               const std::string& working_dir) {
    // The child execs after its chdir: a relative candidate is looked at from there.
    auto executable = [&working_dir](const std::string& candidate, int& err) {
        const std::string seen =
            candidate.starts_with('/') || working_dir.empty() ? candidate : working_dir + "/" + candidate;
        struct stat st {};
        if (stat(seen.c_str(), &st) < 0) {
            err = errno;
            return false;
        }
        if (!S_ISREG(st.st_mode) || access(seen.c_str(), X_OK) < 0) {
            err = EACCES;
            return false;
        }
        return true;
    };
    error = 0;
    if (argv0.find('/') != std::string::npos) return executable(argv0, error) ? argv0 : "";
    bool saw_eacces = false;
    std::size_t begin = 0;
    while (begin <= path_variable.size()) {
        std::size_t end = path_variable.find(':', begin);
        if (end == std::string::npos) end = path_variable.size();
        std::string dir = path_variable.substr(begin, end - begin);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + argv0;
        int err = 0;
        if (executable(candidate, err)) return candidate;
        saw_eacces = saw_eacces || err == EACCES;
        begin = end + 1;
    }
    error = saw_eacces ? EACCES : ENOENT;
    return "";
}

namespace {

// What the child reads; the vectors of C strings it points into live in the caller.
ChildContext child_context(const SpawnRequest& request, const std::string& path, char* const* argv,
                           char* const* envp, int null_fd, const std::optional<rlimit>& nofile) {
    ChildContext context{};
    context.path = path.c_str();
    context.argv = argv;
    context.envp = envp;
    context.working_dir = request.working_dir.empty() ? nullptr : request.working_dir.c_str();
    if (request.credentials) {
        context.set_credentials = true;
        context.groups = request.credentials->groups.data();
        context.group_count = request.credentials->groups.size();
        context.gid = request.credentials->gid;
        context.uid = request.credentials->uid;
    }
    context.new_session = request.new_session;
    context.take_terminal = request.take_terminal;
    context.stdin_fd = request.stdin_fd >= 0 ? request.stdin_fd : null_fd;
    context.stdout_fd = request.stdout_fd;
    context.stderr_fd = request.stderr_fd;
    context.pass_fd = request.pass_fd;
    context.pass_fd_as = request.pass_fd_as;
    context.nofile = nofile ? &*nofile : nullptr;
    context.limits = request.limits.data();
    context.limit_count = request.limits.size();
    context.umask = request.umask;
    context.no_new_privileges = request.no_new_privileges;
    return context;
}

// "failed to change directory to /srv: No such file or directory"
std::string child_failure(const ChildContext& context, const SpawnRequest& request) {
    const std::string stage = context.stage;
    std::string object;
    if (stage == "exec") {
        object = " " + request.argv.at(0);
    } else if (stage == "change directory") {
        object = " to " + request.working_dir;
    } else if (stage == "set the limit") {
        object = " " + resource_name(context.failed_resource);
        for (const ResourceLimit& limit : request.limits)
            if (limit.resource == context.failed_resource) object += " to " + format_limit(limit);
    }
    return "failed to " + stage + object + ": " + std::strerror(context.error);
}

SpawnResult spawn_failure(int error, std::string what) {
    SpawnResult result;
    result.error = error;
    result.what = std::move(what);
    return result;
}

}  // namespace

SpawnResult PosixSpawner::spawn(const SpawnRequest& request) {
    const std::string& program = request.argv.at(0);
    int error = 0;
    std::string path = resolve_executable(program, path_variable(request.environment), error, request.working_dir);
    if (path.empty()) return spawn_failure(error, "failed to exec " + program + ": " + std::strerror(error));

    int null_fd = -1;
    if (request.stdin_fd < 0) {
        null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null_fd < 0) return spawn_failure(errno, std::string("failed to open /dev/null: ") + std::strerror(errno));
    }

    auto argv = c_strings(request.argv);
    auto envp = c_strings(request.environment);
    ChildContext context = child_context(request, path, argv.data(), envp.data(), null_fd, child_nofile_);
    char* stack = child_stack_top();
    pid_t pid = stack ? clone(child_main, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &context) : -1;
    int clone_errno = stack ? errno : ENOMEM;
    if (null_fd >= 0) close(null_fd);
    if (pid < 0) return spawn_failure(clone_errno, std::string("failed to fork: ") + std::strerror(clone_errno));
    if (context.stage) {
        // The child has already _exit()ed; collect it here so the failure is reported
        // once, as a spawn error, and not again as an unknown pid by the reaper.
        int status = 0;
        while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
        return spawn_failure(context.error, child_failure(context, request));
    }
    SpawnResult result;
    result.pid = pid;
    result.scope = Scope::process_group(pid);  // the child's setpgid(0, 0)
    return result;
}

}  // namespace tend
