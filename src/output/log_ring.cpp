#include "tend/output/log_ring.hpp"

#include <algorithm>

namespace tend {

void LogRing::push(const LineView& line) {
    if (max_lines_ == 0) return;
    if (!storage_) storage_ = std::make_unique<Storage>();
    auto& blocks = storage_->blocks;
    if (blocks.empty() || blocks.back().size() + line.text.size() > blocks.back().capacity()) {
        // Blocks start small and double: a service that prints a line at start-up
        // should not cost 64 KiB of tend's memory for it.
        std::size_t previous = blocks.empty() ? kFirstBlockBytes / 2 : blocks.back().capacity();
        std::size_t capacity = std::min(kBlockBytes, std::max(kFirstBlockBytes, previous * 2));
        blocks.emplace_back();
        blocks.back().reserve(std::max(capacity, line.text.size()));
    }
    std::string& block = blocks.back();
    storage_->entries.push_back({line.seq, line.time, line.stream, line.continued,
                                 storage_->first_block + blocks.size() - 1, static_cast<std::uint32_t>(block.size()),
                                 static_cast<std::uint32_t>(line.text.size())});
    block.append(line.text);
    held_bytes_ += line.text.size();
    trim();
}

std::size_t LogRing::reserved() const {
    std::size_t total = 0;
    if (storage_)
        for (const auto& block : storage_->blocks) total += block.capacity();
    return total;
}

void LogRing::resize(std::size_t max_lines) {
    max_lines_ = max_lines;
    trim();
}

void LogRing::drop_front() {
    auto& [entries, blocks, first_block] = *storage_;
    entries.pop_front();
    // Free every block no remaining line points into.
    std::uint64_t keep_from = entries.empty() ? first_block + blocks.size() : entries.front().block;
    while (!blocks.empty() && first_block < keep_from) {
        held_bytes_ -= blocks.front().size();
        blocks.pop_front();
        ++first_block;
    }
}

void LogRing::trim() {
    while (size() > 0 && (size() > max_lines_ || held_bytes_ > max_bytes_)) drop_front();
}

std::vector<StoredLine> LogRing::last(std::size_t n) const {
    std::vector<StoredLine> out;
    std::size_t count = std::min(n, size());
    if (count == 0) return out;
    out.reserve(count);
    const auto& [entries, blocks, first_block] = *storage_;
    for (auto it = entries.end() - static_cast<std::ptrdiff_t>(count); it != entries.end(); ++it) {
        const std::string& block = blocks[it->block - first_block];
        out.push_back({it->seq, it->time, it->stream, it->continued, block.substr(it->offset, it->length)});
    }
    return out;
}

}  // namespace tend
