#include "tend/process/process_usage.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>

#include "tend/util/unique_fd.hpp"

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

// A stat file is one short line; a plain read(2) keeps a scan of 1,000 processes cheap.
std::optional<std::string> read_small(const char* path) {
    UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;  // exited meanwhile
    char buffer[1024];
    ssize_t n = read(fd.get(), buffer, sizeof buffer - 1);
    if (n <= 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
}

struct DirCloser {
    void operator()(DIR* dir) const { closedir(dir); }
};
using Dir = std::unique_ptr<DIR, DirCloser>;

}  // namespace

ProcessUsage& ProcessUsage::operator+=(const ProcessUsage& other) {
    cpu_seconds += other.cpu_seconds;
    rss_bytes += other.rss_bytes;
    return *this;
}

std::optional<StatUsage> parse_stat_usage(std::string_view line, long ticks, long page) {
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    std::string rest(line.substr(close + 1));
    char state = 0;
    long pgrp = 0;
    unsigned long utime = 0, stime = 0;
    long rss = 0;
    // Fields 3 (state) and 5 (pgrp), 14 and 15 (utime, stime), 24 (rss, in pages).
    if (std::sscanf(rest.c_str(), " %c %*d %ld %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
                    &state, &pgrp, &utime, &stime, &rss) != 5)
        return std::nullopt;
    if (state == 'Z') return std::nullopt;
    StatUsage out{static_cast<pid_t>(pgrp), {}};
    out.usage.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks);
    out.usage.rss_bytes = static_cast<std::uint64_t>(rss > 0 ? rss : 0) * static_cast<std::uint64_t>(page);
    return out;
}

std::unordered_map<pid_t, ProcessUsage> usage_by_group() {
    std::unordered_map<pid_t, ProcessUsage> out;
    Dir proc(opendir("/proc"));
    if (!proc) return out;
    while (dirent* entry = readdir(proc.get())) {
        if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
        std::string path = std::string("/proc/") + entry->d_name + "/stat";
        auto line = read_small(path.c_str());
        if (!line) continue;
        if (auto stat = parse_stat_usage(*line, ticks_per_second(), page_size())) out[stat->pgrp] += stat->usage;
    }
    return out;
}

ProcessUsage own_usage() {
    auto line = read_small("/proc/self/stat");
    if (!line) return {};
    auto stat = parse_stat_usage(*line, ticks_per_second(), page_size());
    return stat ? stat->usage : ProcessUsage{};
}

std::size_t own_open_fds() {
    // Since Linux 6.2 the directory's size is the number of open fds: one
    // stat(2) where listing 4,000 fds (1,000 services' pipes) walks them all.
    struct stat st {};
    if (stat("/proc/self/fd", &st) == 0 && st.st_size > 0) return static_cast<std::size_t>(st.st_size);
    Dir fds(opendir("/proc/self/fd"));
    if (!fds) return 0;
    std::size_t count = 0;
    while (dirent* entry = readdir(fds.get())) count += entry->d_name[0] != '.';
    return count > 0 ? count - 1 : 0;  // less the one this listing holds
}

}  // namespace tend
