#include "tend/process/process_scanner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <spdlog/spdlog.h>

namespace tend {
namespace {

long ticks_per_second() {
    static const long ticks = sysconf(_SC_CLK_TCK);
    return ticks > 0 ? ticks : 100;
}

long page_size() {
    static const long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? size : 4096;
}

// A /proc entry's name as a pid, or 0 for the others (self, sys, ...).
pid_t pid_of(const char* name) {
    pid_t pid = 0;
    const char* end = name + std::strlen(name);
    auto [last, error] = std::from_chars(name, end, pid);
    return error == std::errc() && last == end && pid > 0 ? pid : 0;
}

}  // namespace

const std::unordered_map<pid_t, ProcessUsage>& ProcessScanner::scan() {
    groups_.clear();
    ++scan_;
    if (!list_processes()) return groups_;
    for (pid_t pid : listed_) read_process(pid);
    close_gone();
    return groups_;
}

// Every pid under /proc into listed_, with getdents64 on a kept fd of /proc.
bool ProcessScanner::list_processes() {
    listed_.clear();
    if (!proc_) {
        proc_.reset(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!proc_) {
            spdlog::warn("Failed to open /proc for the services' CPU and memory: {}", std::strerror(errno));
            return false;
        }
        entries_.resize(64 * 1024);
    }
    if (lseek(proc_.get(), 0, SEEK_SET) < 0) {
        spdlog::warn("Failed to list /proc again: {}", std::strerror(errno));
        proc_.reset();  // opened afresh next time
        return false;
    }
    for (;;) {
        ssize_t n = getdents64(proc_.get(), entries_.data(), entries_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            spdlog::warn("Failed to list /proc: {}", std::strerror(errno));
            proc_.reset();
            return false;
        }
        if (n == 0) return true;
        for (ssize_t at = 0; at < n;) {
            const auto* entry = reinterpret_cast<const dirent64*>(entries_.data() + at);
            if (pid_t pid = pid_of(entry->d_name)) listed_.push_back(pid);
            at += entry->d_reclen;
        }
    }
}

void ProcessScanner::read_process(pid_t pid) {
    auto it = files_.find(pid);
    std::size_t size = 0;
    if (it != files_.end()) {
        it->second.scan = scan_;
        size = read_stat(it->second.fd.get());
        // Gone: the pid may already name another process, read through a file of its own.
        if (size == 0) it->second.fd = open_stat(pid);
        if (size == 0 && it->second.fd) size = read_stat(it->second.fd.get());
    } else {
        UniqueFd fd = open_stat(pid);
        if (!fd) return;  // exited meanwhile
        size = read_stat(fd.get());
        if (files_.size() < kMaxKept) files_.emplace(pid, Kept{std::move(fd), scan_});
    }
    if (size == 0) return;
    if (auto stat = parse_stat_usage(std::string_view(buffer_, size), ticks_per_second(), page_size()))
        groups_[stat->pgrp] += stat->usage;
}

std::size_t ProcessScanner::read_stat(int fd) {
    if (fd < 0) return 0;
    ssize_t n;
    do n = pread(fd, buffer_, sizeof buffer_, 0);
    while (n < 0 && errno == EINTR);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

UniqueFd ProcessScanner::open_stat(pid_t pid) const {
    char path[32];
    char* end = std::to_chars(path, path + sizeof path - 6, pid).ptr;
    std::memcpy(end, "/stat", 6);
    UniqueFd fd(openat(proc_.get(), path, O_RDONLY | O_CLOEXEC));
    // ENOENT or ESRCH: it exited since the listing. Anything else (EMFILE) leaves it out of this scrape.
    if (!fd && errno != ENOENT && errno != ESRCH)
        spdlog::debug("Failed to open /proc/{}/stat: {}, leaving it out", pid, std::strerror(errno));
    return fd;
}

// tend's own, with the same parse (and sysconf's figures read once).
ProcessUsage own_usage() {
    UniqueFd fd(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
    char line[1024];
    ssize_t n = fd ? read(fd.get(), line, sizeof line) : -1;
    if (n <= 0) return {};
    auto stat = parse_stat_usage(std::string_view(line, static_cast<std::size_t>(n)), ticks_per_second(), page_size());
    return stat ? stat->usage : ProcessUsage{};
}

void ProcessScanner::close_gone() {
    std::erase_if(files_, [this](const auto& entry) { return entry.second.scan != scan_ || !entry.second.fd; });
}

}  // namespace tend
