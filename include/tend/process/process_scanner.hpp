// CPU time and resident memory of every live process, summed by process
// group (what /metrics reports for each service), from /proc/PID/stat.
//
// A scan lists /proc and reads each process's stat file. The file is opened
// the first time the process is seen and kept open while it lives, so a later
// scan costs one pread(2) per process instead of open, read and close (two
// path lookups and three syscalls: most of a scrape's CPU, docs/benchmarks.md).
// A kept fd names its process, not its pid: once that process is gone (and
// reaped) its reads fail with ESRCH, so a reused pid is opened afresh, never
// read through the old process's file; fds of processes no longer listed are
// closed at the end of each scan. Nothing is opened before the first scan, so
// a tend that is never scraped holds no fd for it.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "tend/process/process_usage.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

class ProcessScanner {
public:
    // Past this many processes the others are read with open, read and close
    // at each scan, so a namespace with very many processes does not fill tend's fd table.
    static constexpr std::size_t kMaxKept = 4096;

    ProcessScanner() = default;
    ProcessScanner(const ProcessScanner&) = delete;
    ProcessScanner& operator=(const ProcessScanner&) = delete;

    // The live processes' usage by process group, as of now; valid until the next scan.
    const std::unordered_map<pid_t, ProcessUsage>& scan();
    // Stat files held open, and whether one is `pid`'s (for tests).
    std::size_t kept() const { return files_.size(); }
    bool keeps(pid_t pid) const { return files_.count(pid) > 0; }

private:
    struct Kept {
        UniqueFd fd;
        std::uint64_t scan = 0;  // the last scan that listed its process
    };

    bool list_processes();
    void read_process(pid_t pid);
    // The stat line of `fd`'s process into buffer_, or 0 when it is gone.
    std::size_t read_stat(int fd);
    UniqueFd open_stat(pid_t pid) const;
    void close_gone();

    UniqueFd proc_;  // /proc, listed again at each scan
    std::unordered_map<pid_t, Kept> files_;
    std::unordered_map<pid_t, ProcessUsage> groups_;
    std::vector<pid_t> listed_;
    std::vector<char> entries_;  // getdents64's
    char buffer_[1024];          // a stat line (about 300 bytes)
    std::uint64_t scan_ = 0;
};

}  // namespace tend
