// A service's last lines, kept in memory for `tendctl logs`: at most
// `max_lines` lines and `max_bytes` of text, the oldest dropped first.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "tend/output/log_line.hpp"

namespace tend {

class LogRing {
public:
    static constexpr std::size_t kDefaultMaxBytes = 4 * 1024 * 1024;

    explicit LogRing(std::size_t max_lines, std::size_t max_bytes = kDefaultMaxBytes)
        : max_lines_(max_lines), max_bytes_(max_bytes) {}

    void push(const LineView& line);
    void resize(std::size_t max_lines);
    // The last `n` lines, oldest first.
    std::vector<const StoredLine*> last(std::size_t n) const;

    std::size_t size() const { return lines_.size(); }
    std::size_t bytes() const { return bytes_; }

private:
    void trim();

    std::size_t max_lines_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::deque<StoredLine> lines_;
};

}  // namespace tend
