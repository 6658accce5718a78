#include "tend/output/log_ring.hpp"

#include <algorithm>

namespace tend {

void LogRing::push(const LineView& line) {
    if (max_lines_ == 0) return;
    if (blocks_.empty() || blocks_.back().size() + line.text.size() > blocks_.back().capacity()) {
        // Blocks start small and double: a service that prints a line at start-up
        // should not cost 64 KiB of tend's memory for it.
        std::size_t previous = blocks_.empty() ? kFirstBlockBytes / 2 : blocks_.back().capacity();
        std::size_t capacity = std::min(kBlockBytes, std::max(kFirstBlockBytes, previous * 2));
        blocks_.emplace_back();
        blocks_.back().reserve(std::max(capacity, line.text.size()));
    }
    std::string& block = blocks_.back();
    entries_.push_back({line.seq, line.time, line.stream, line.continued, first_block_ + blocks_.size() - 1,
                        static_cast<std::uint32_t>(block.size()), static_cast<std::uint32_t>(line.text.size())});
    block.append(line.text);
    held_bytes_ += line.text.size();
    trim();
}

std::size_t LogRing::reserved() const {
    std::size_t total = 0;
    for (const auto& block : blocks_) total += block.capacity();
    return total;
}

void LogRing::resize(std::size_t max_lines) {
    max_lines_ = max_lines;
    trim();
}

void LogRing::drop_front() {
    entries_.pop_front();
    // Free every block no remaining line points into.
    std::uint64_t keep_from = entries_.empty() ? first_block_ + blocks_.size() : entries_.front().block;
    while (!blocks_.empty() && first_block_ < keep_from) {
        held_bytes_ -= blocks_.front().size();
        blocks_.pop_front();
        ++first_block_;
    }
}

void LogRing::trim() {
    while (!entries_.empty() && (entries_.size() > max_lines_ || held_bytes_ > max_bytes_)) drop_front();
}

std::vector<StoredLine> LogRing::last(std::size_t n) const {
    std::vector<StoredLine> out;
    std::size_t count = std::min(n, entries_.size());
    out.reserve(count);
    for (auto it = entries_.end() - static_cast<std::ptrdiff_t>(count); it != entries_.end(); ++it) {
        const std::string& block = blocks_[it->block - first_block_];
        out.push_back({it->seq, it->time, it->stream, it->continued, block.substr(it->offset, it->length)});
    }
    return out;
}

}  // namespace tend
