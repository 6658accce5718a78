// CPU time and resident memory of processes, from /proc/PID/stat: the parse
// of one stat line (ProcessScanner sums them per process group), and tend's
// own. Read only when asked (a scrape), so an idle tend costs nothing.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tend {

struct ProcessUsage {
    double cpu_seconds = 0;       // user + system
    std::uint64_t rss_bytes = 0;  // resident set
    ProcessUsage& operator+=(const ProcessUsage& other);
};

// One /proc/PID/stat line: its process group and usage; nullopt when it is
// not such a line or the process is a zombie (its memory is gone, its time
// goes to whoever reaps it).
struct StatUsage {
    pid_t pgrp;
    ProcessUsage usage;
};
std::optional<StatUsage> parse_stat_usage(std::string_view line, long ticks_per_second, long page_size);

ProcessUsage own_usage();
// The file descriptors tend holds open.
std::size_t own_open_fds();

}  // namespace tend
