#include "tend/process/process_tree.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

namespace tend {

bool process_group_alive(pid_t pgid) {
    if (pgid <= 0) return false;
    // Signal 0 checks existence only. EPERM means members exist that we may not signal.
    return kill(-pgid, 0) == 0 || errno == EPERM;
}

bool process_alive(pid_t pid) {
    if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH)) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

namespace {

struct ProcEntry {
    pid_t pid;
    pid_t ppid;
    pid_t pgrp;
    pid_t session;
    char state;
};

// /proc/PID/stat's state, parent, group and session; nullopt when it is gone.
std::optional<ProcEntry> read_stat(const std::string& pid_text) {
    std::ifstream stat("/proc/" + pid_text + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return std::nullopt;  // exited meanwhile
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    ProcEntry entry{};
    long ppid = 0, pgrp = 0, session = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld %ld", &entry.state, &ppid, &pgrp, &session) != 4)
        return std::nullopt;
    entry.pid = static_cast<pid_t>(std::strtol(pid_text.c_str(), nullptr, 10));
    entry.ppid = static_cast<pid_t>(ppid);
    entry.pgrp = static_cast<pid_t>(pgrp);
    entry.session = static_cast<pid_t>(session);
    return entry;
}

// One pass over /proc/*/stat; processes that exit meanwhile are skipped.
std::vector<ProcEntry> list_processes() {
    std::vector<ProcEntry> out;
    std::unique_ptr<DIR, int (*)(DIR*)> proc(opendir("/proc"), closedir);
    if (!proc) {
        spdlog::warn("Failed to list /proc: {}", std::strerror(errno));
        return out;
    }
    while (dirent* entry = readdir(proc.get())) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        auto stat = read_stat(entry->d_name);
        if (!stat || stat->state == 'Z') continue;  // gone, or dead and waiting to be reaped
        out.push_back(*stat);
    }
    return out;
}

}  // namespace

std::size_t process_group_size(pid_t pgid) {
    std::size_t count = 0;
    for (const ProcEntry& p : list_processes()) count += p.pgrp == pgid ? 1 : 0;
    return count;
}

namespace {

// The children of every thread of `pid`, from /proc/PID/task/*/children: a walk
// of the subtree only, where a scan of all of /proc would be paid by the stop
// of each of many services.
std::vector<pid_t> children_of(pid_t pid) {
    const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    std::vector<pid_t> out;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(tasks.c_str()), closedir);
    if (!dir) return out;  // gone meanwhile
    while (dirent* entry = readdir(dir.get())) {
        if (entry->d_name[0] == '.') continue;
        std::ifstream children(tasks + "/" + entry->d_name + "/children");
        for (long child = 0; children >> child;) out.push_back(static_cast<pid_t>(child));
    }
    return out;
}

// Every descendant, from one scan of /proc/*/stat: where there are no children files.
std::vector<pid_t> descendants_by_scan(pid_t root) {
    std::multimap<pid_t, pid_t> children;  // parent -> child
    for (const ProcEntry& p : list_processes()) children.emplace(p.ppid, p.pid);
    std::vector<pid_t> out;
    std::vector<pid_t> queue{root};
    while (!queue.empty()) {
        pid_t parent = queue.back();
        queue.pop_back();
        auto [first, last] = children.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            out.push_back(it->second);
            queue.push_back(it->second);
        }
    }
    return out;
}

}  // namespace

std::vector<pid_t> descendants_of(pid_t root) {
    // Kernels built without CONFIG_PROC_CHILDREN have no children files.
    static const bool children_files = access("/proc/thread-self/children", F_OK) == 0;
    if (!children_files) return descendants_by_scan(root);
    std::vector<pid_t> out;
    std::vector<pid_t> queue{root};
    while (!queue.empty()) {
        pid_t parent = queue.back();
        queue.pop_back();
        for (pid_t child : children_of(parent)) {
            out.push_back(child);
            queue.push_back(child);
        }
    }
    return out;
}

std::size_t signal_descendants(int sig) {
    std::size_t count = 0;
    for (pid_t pid : descendants_of(getpid()))
        if (kill(pid, sig) == 0) ++count;
    return count;
}

std::vector<pid_t> session_members(pid_t sid) {
    std::vector<pid_t> out;
    if (sid <= 0) return out;
    for (const ProcEntry& p : list_processes())
        if (p.session == sid) out.push_back(p.pid);
    return out;
}

namespace {

bool holds(pid_t pid, const std::string& link) {
    const std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(fds.c_str()), closedir);
    if (!dir) return false;  // gone meanwhile
    char target[64];
    while (dirent* entry = readdir(dir.get())) {
        if (entry->d_name[0] == '.') continue;
        ssize_t n = readlinkat(dirfd(dir.get()), entry->d_name, target, sizeof target - 1);
        if (n > 0 && link.compare(0, std::string::npos, target, static_cast<std::size_t>(n)) == 0) return true;
    }
    return false;
}

}  // namespace

std::vector<pid_t> children_holding(int fd) {
    std::vector<pid_t> out;
    struct stat st {};
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) return out;
    const std::string link = "pipe:[" + std::to_string(st.st_ino) + "]";
    for (pid_t child : children_of(getpid())) {
        if (!holds(child, link)) continue;
        out.push_back(child);
        for (pid_t below : descendants_of(child)) out.push_back(below);
    }
    return out;
}

bool belongs_to(pid_t pid, pid_t leader, bool leads_session) {
    if (pid <= 0 || leader <= 0) return false;
    if (pid == leader) return true;
    // A parent chain is short; the bound only guards against a loop read across
    // exits and pid reuse while walking.
    constexpr int kMaxDepth = 64;
    pid_t at = pid;
    for (int depth = 0; depth < kMaxDepth && at > 1; ++depth) {
        // A zombie still says where it was: its pid is not reused before it is reaped.
        auto stat = read_stat(std::to_string(at));
        if (!stat) return false;
        if (depth == 0 && (stat->pgrp == leader || (leads_session && stat->session == leader))) return true;
        if (stat->ppid == leader) return true;
        at = stat->ppid;
    }
    return false;
}

}  // namespace tend
