#include "tend/output/log_ring.hpp"

#include <algorithm>

namespace tend {

// The block the next `bytes` of text go into.
std::string& LogRing::block_for(std::size_t bytes) {
    auto& blocks = storage_->blocks;
    if (blocks.empty() || blocks.back().size() + bytes > blocks.back().capacity()) {
        // Blocks start small and double: a service that prints a line at start-up
        // should not cost 64 KiB of tend's memory for it.
        std::size_t previous = blocks.empty() ? kFirstBlockBytes / 2 : blocks.back().capacity();
        std::size_t capacity = std::min(kBlockBytes, std::max(kFirstBlockBytes, previous * 2));
        blocks.emplace_back();
        blocks.back().reserve(std::max(capacity, bytes));
    }
    return blocks.back();
}

// Doubles the entry array, up to max_lines, oldest entry first again.
void LogRing::grow() {
    Storage& s = *storage_;
    std::vector<Entry> wider;
    wider.reserve(std::min(max_lines_, std::max<std::size_t>(16, s.entries.size() * 2)));
    for (std::size_t i = 0; i < s.count; ++i) wider.push_back(s.at(i));
    wider.resize(wider.capacity());
    s.entries = std::move(wider);
    s.head = 0;
}

void LogRing::push(const LineView& line) {
    if (max_lines_ == 0) return;
    if (!storage_) storage_ = std::make_unique<Storage>();
    Storage& s = *storage_;
    if (s.count == max_lines_) drop_front();
    if (s.count == s.entries.size()) grow();
    std::string& block = block_for(line.text.size());
    std::size_t slot = s.head + s.count;
    if (slot >= s.entries.size()) slot -= s.entries.size();
    s.entries[slot] = {line.seq,
                       line.time,
                       static_cast<std::uint32_t>(s.first_block + s.blocks.size() - 1),
                       static_cast<std::uint32_t>(block.size()),
                       static_cast<std::uint32_t>(line.text.size()),
                       line.stream,
                       line.continued};
    ++s.count;
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
    if (max_lines_ == 0) clear();
}

void LogRing::drop_front() {
    Storage& s = *storage_;
    if (++s.head == s.entries.size()) s.head = 0;
    --s.count;
    // Free every block no remaining line points into.
    const std::uint32_t keep_from =
        s.count == 0 ? static_cast<std::uint32_t>(s.first_block + s.blocks.size()) : s.at(0).block;
    while (!s.blocks.empty() && s.first_block != keep_from) {
        held_bytes_ -= s.blocks.front().size();
        s.blocks.pop_front();
        ++s.first_block;
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
    const Storage& s = *storage_;
    for (std::size_t i = s.count - count; i < s.count; ++i) {
        const Entry& e = s.at(i);
        const std::string& block = s.blocks[static_cast<std::uint32_t>(e.block - s.first_block)];
        out.push_back({e.seq, e.time, e.stream, e.continued, block.substr(e.offset, e.length)});
    }
    return out;
}

}  // namespace tend
