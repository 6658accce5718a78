#include "tend/process/code_pages.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "tend/util/unique_fd.hpp"
#include "tend/util/system_error.hpp"

namespace tend {
namespace {

// An smaps line "Name:   123 kB" as bytes; false for a line of another name.
bool kib_field(std::string_view line, std::string_view name, std::size_t& bytes) {
    if (line.size() <= name.size() || line.substr(0, name.size()) != name || line[name.size()] != ':') return false;
    std::string_view rest = line.substr(name.size() + 1);
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    std::size_t kib = 0;
    if (std::from_chars(rest.data(), rest.data() + rest.size(), kib).ec != std::errc()) return false;
    bytes = kib * 1024;
    return true;
}

std::string_view next_word(std::string_view& text) {
    text.remove_prefix(std::min(text.find_first_not_of(' '), text.size()));
    std::size_t end = std::min(text.find(' '), text.size());
    std::string_view word = text.substr(0, end);
    text.remove_prefix(end);
    return word;
}

bool hex_number(std::string_view text, std::uintptr_t& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

// A mapping's header line: "7f1c2a000000-7f1c2a021000 r-xp 00000000 08:01 1234   /usr/lib/x.so".
struct Header {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    bool candidate = false;  // file-backed, private and not writable
};

bool parse_header(std::string_view line, Header& header) {
    std::string_view range = next_word(line);
    std::string_view perms = next_word(line);
    next_word(line);  // offset
    std::string_view device = next_word(line);
    std::string_view inode = next_word(line);
    std::size_t dash = range.find('-');
    if (dash == std::string_view::npos || perms.size() != 4 || device.find(':') == std::string_view::npos ||
        inode.empty())
        return false;
    if (!hex_number(range.substr(0, dash), header.begin) || !hex_number(range.substr(dash + 1), header.end) ||
        header.end <= header.begin)
        return false;
    // Private only: a shared mapping's pages are other processes' too.
    header.candidate = perms[1] != 'w' && perms[3] == 'p' && inode != "0";
    return true;
}

// Takes smaps one line at a time, so that tend's own file can be read in
// small pieces: a whole copy of it (100 KiB with 500 services) would be heap
// that stays resident after it is freed.
class MappingScanner {
public:
    void line(std::string_view text) {
        Header next;
        // A field line starts with a capitalised name and a colon; anything else
        // that parses as a mapping begins the next block.
        if (!text.empty() && !(text[0] >= 'A' && text[0] <= 'Z') && parse_header(text, next)) {
            close();
            header_ = next;
            open_ = header_.candidate;
            anonymous_seen_ = false;
            swap_seen_ = false;
            flags_seen_ = false;
            rss_ = 0;
            return;
        }
        if (!open_) return;
        std::size_t bytes = 0;
        if (kib_field(text, "Rss", bytes)) {
            rss_ = bytes;
        } else if (kib_field(text, "Anonymous", bytes)) {
            // Only a block that says it holds no anonymous page is taken...
            if (bytes != 0) open_ = false;
            anonymous_seen_ = true;
        } else if (kib_field(text, "Swap", bytes)) {
            // ...and none swapped out: a written page in swap counts as Swap, not
            // Anonymous, and the advice would free it for the file's bytes.
            if (bytes != 0) open_ = false;
            swap_seen_ = true;
        } else if (text.substr(0, 8) == "VmFlags:") {
            flags_seen_ = true;  // the block's last line: it was read whole
            // Locked pages refuse the advice (EINVAL); I/O and PFN maps are not
            // page cache; sealed mappings may refuse it; userfaultfd's belong to
            // whoever registered them.
            for (std::string_view rest = text.substr(8); !rest.empty();) {
                std::string_view flag = next_word(rest);
                if (flag == "lo" || flag == "io" || flag == "pf" || flag == "ht" || flag == "sl" || flag == "um" ||
                    flag == "uw" || flag == "ui")
                    open_ = false;
            }
        }
    }

    std::vector<CodeMapping> finish() {
        close();
        return std::move(found_);
    }

    // A line too long to read whole, which only a mapping's header (its
    // path) can be: the block before it ends there, and the lines up to the
    // next header belong to a mapping never seen, so they are not taken.
    void lost_a_line() { close(); }

private:
    void close() {
        if (open_ && anonymous_seen_ && swap_seen_ && flags_seen_) found_.push_back({header_.begin, header_.end, rss_});
        open_ = false;
    }

    std::vector<CodeMapping> found_;
    Header header_;
    bool open_ = false;  // inside a candidate's block, not yet ruled out
    bool anonymous_seen_ = false;
    bool swap_seen_ = false;
    bool flags_seen_ = false;
    std::size_t rss_ = 0;
};

// Feeds every complete line of `text` to `scanner`; returns what is left of a line cut short.
std::string_view feed_lines(std::string_view text, MappingScanner& scanner) {
    for (std::size_t end; (end = text.find('\n')) != std::string_view::npos; text.remove_prefix(end + 1))
        scanner.line(text.substr(0, end));
    return text;
}

std::vector<CodeMapping> own_clean_file_mappings() {
    UniqueFd fd(open("/proc/self/smaps", O_RDONLY | O_CLOEXEC));
    if (!fd) throw errno_error("Failed to open /proc/self/smaps");
    MappingScanner scanner;
    // Lines are short but for a mapping's path; one longer than a piece (a
    // path near PATH_MAX, its newlines written as \012) is skipped to its end,
    // and its block is not taken.
    char buffer[8192];
    std::size_t kept = 0;
    bool skipping = false;  // inside a line too long for the buffer
    for (;;) {
        ssize_t n = read(fd.get(), buffer + kept, sizeof buffer - kept);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw errno_error("Failed to read /proc/self/smaps");
        if (n == 0) break;
        std::string_view text{buffer, kept + static_cast<std::size_t>(n)};
        if (skipping) {
            std::size_t end = text.find('\n');
            if (end == std::string_view::npos) {
                kept = 0;
                continue;
            }
            text.remove_prefix(end + 1);
            skipping = false;
        }
        std::string_view rest = feed_lines(text, scanner);
        if (rest.size() == sizeof buffer) {
            scanner.lost_a_line();
            skipping = true;
            rest = {};
        }
        if (!rest.empty()) std::memmove(buffer, rest.data(), rest.size());
        kept = rest.size();
    }
    if (!skipping) scanner.line({buffer, kept});
    return scanner.finish();
}

}  // namespace

std::vector<CodeMapping> clean_file_mappings(std::string_view smaps) {
    MappingScanner scanner;
    scanner.line(feed_lines(smaps, scanner));
    return scanner.finish();
}

CodeRelease release_clean_file_pages() {
    CodeRelease released;
    for (const CodeMapping& m : own_clean_file_mappings()) {
        if (m.resident_bytes == 0) continue;
        if (madvise(reinterpret_cast<void*>(m.begin), m.end - m.begin, MADV_DONTNEED) < 0) {
            // That mapping keeps its pages; the others are still given back.
            if (released.failure.empty())
                released.failure = fmt::format("Failed to drop the pages of mapping {:#x}-{:#x}: {}", m.begin, m.end,
                                               std::strerror(errno));
            continue;
        }
        ++released.mappings;
        released.resident_bytes += m.resident_bytes;
    }
    return released;
}

bool release_idle_pages() {
    malloc_trim(0);
    static bool warned = false;
    try {
        CodeRelease released = release_clean_file_pages();
        if (!released.failure.empty() && !std::exchange(warned, true)) spdlog::warn("{}, ignoring", released.failure);
        return true;
    } catch (const std::exception& e) {
        spdlog::warn("{}: code pages stay mapped from now on", e.what());
        return false;
    }
}

}  // namespace tend
