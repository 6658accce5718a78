// A service's last lines, kept in memory for `tendctl logs`: at most
// `max_lines` lines and about `max_bytes` of text, the oldest dropped first.
// Text is packed into 64 KiB blocks rather than a string per line: a service
// writing at full speed pushes millions of lines that are dropped unread, and
// an allocation for each would cost more than the rest of the capture. The
// lines' entries sit in a circular array for the same reason: it grows to
// `max_lines` and then only overwrites (a deque allocated and freed a node
// every dozen lines, a quarter of tend's CPU on a flood of output).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tend/output/log_line.hpp"

namespace tend {

class LogRing {
public:
    static constexpr std::size_t kDefaultMaxBytes = 4 * 1024 * 1024;
    static constexpr std::size_t kBlockBytes = 64 * 1024;
    static constexpr std::size_t kFirstBlockBytes = 512;

    explicit LogRing(std::size_t max_lines, std::size_t max_bytes = kDefaultMaxBytes)
        : max_lines_(max_lines), max_bytes_(max_bytes) {}

    void push(const LineView& line);
    void resize(std::size_t max_lines);
    void clear() {
        storage_.reset();
        held_bytes_ = 0;
    }
    // Copies of the last `n` lines, oldest first.
    std::vector<StoredLine> last(std::size_t n) const;

    std::size_t size() const { return storage_ ? storage_->count : 0; }
    // Text bytes held, including what evicted lines still occupy in a shared block.
    std::size_t bytes() const { return held_bytes_; }
    // Memory reserved for text, which can exceed bytes() by the unfilled end of the last block.
    std::size_t reserved() const;

private:
    struct Entry {
        std::uint64_t seq;
        WallClock::time_point time;
        std::uint32_t block;  // id: first_block + index in blocks (wrapping: only differences are used)
        std::uint32_t offset;
        std::uint32_t length;
        OutputStream stream;
        bool continued;
    };

    // Made at the first line: most services of a big config never print one.
    struct Storage {
        std::vector<Entry> entries;  // circular: `count` entries from `head`
        std::size_t head = 0;
        std::size_t count = 0;
        std::deque<std::string> blocks;
        std::uint32_t first_block = 0;

        const Entry& at(std::size_t i) const {  // the i-th oldest
            std::size_t slot = head + i;
            return entries[slot >= entries.size() ? slot - entries.size() : slot];
        }
    };

    std::string& block_for(std::size_t bytes);
    void grow();
    void trim();
    void drop_front();

    std::size_t max_lines_;
    std::size_t max_bytes_;
    std::size_t held_bytes_ = 0;
    std::unique_ptr<Storage> storage_;
};

}  // namespace tend
