#include "tend/process/process_usage.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <string>

#include "tend/util/unique_fd.hpp"

namespace tend {
namespace {

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

namespace {

// The text of field `n` (1-based, as proc(5) numbers them) of the fields after
// the command name, which ends at `rest`; "" when the line is shorter.
class StatFields {
public:
    explicit StatFields(std::string_view rest) : rest_(rest) {}
    // Fields must be asked for in increasing order.
    std::string_view field(int n) {
        while (at_ < n) {
            auto start = rest_.find_first_not_of(' ');
            if (start == std::string_view::npos) return {};
            rest_.remove_prefix(start);
            auto end = rest_.find(' ');
            current_ = rest_.substr(0, end);
            rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end);
            ++at_;
        }
        return current_;
    }

private:
    std::string_view rest_;
    std::string_view current_;
    int at_ = 2;  // the fields before: pid and (comm)
};

template <typename T>
bool number(std::string_view text, T& out) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::optional<StatUsage> parse_stat_usage(std::string_view line, long ticks, long page) {
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    if (auto newline = line.find('\n', close); newline != std::string_view::npos) line = line.substr(0, newline);
    StatFields fields(line.substr(close + 1));
    std::string_view state = fields.field(3);
    long pgrp = 0;
    unsigned long utime = 0, stime = 0;
    long rss = 0;
    // Fields 3 (state) and 5 (pgrp), 14 and 15 (utime, stime), 24 (rss, in pages).
    if (state.size() != 1 || !number(fields.field(5), pgrp) || !number(fields.field(14), utime) ||
        !number(fields.field(15), stime) || !number(fields.field(24), rss))
        return std::nullopt;
    if (state[0] == 'Z') return std::nullopt;
    StatUsage out{static_cast<pid_t>(pgrp), {}};
    out.usage.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks);
    out.usage.rss_bytes = static_cast<std::uint64_t>(rss > 0 ? rss : 0) * static_cast<std::uint64_t>(page);
    return out;
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
