#include "tend/process/process_tree.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
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
};

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
        std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;  // exited meanwhile
        // The command name may hold spaces and parentheses: fields resume after the last ')'.
        auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        char state = 0;
        long ppid = 0, pgrp = 0;
        if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) continue;
        if (state == 'Z') continue;  // already dead, waiting to be reaped
        out.push_back({static_cast<pid_t>(pid), static_cast<pid_t>(ppid), static_cast<pid_t>(pgrp)});
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

}  // namespace tend
