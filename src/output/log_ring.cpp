#include "tend/output/log_ring.hpp"

#include <algorithm>

namespace tend {

void LogRing::push(const LineView& line) {
    if (max_lines_ == 0) return;
    lines_.push_back({line.seq, line.time, line.stream, line.continued, std::string(line.text)});
    bytes_ += line.text.size();
    trim();
}

void LogRing::resize(std::size_t max_lines) {
    max_lines_ = max_lines;
    trim();
}

void LogRing::trim() {
    while (!lines_.empty() && (lines_.size() > max_lines_ || bytes_ > max_bytes_)) {
        bytes_ -= lines_.front().text.size();
        lines_.pop_front();
    }
}

std::vector<const StoredLine*> LogRing::last(std::size_t n) const {
    std::vector<const StoredLine*> out;
    std::size_t count = std::min(n, lines_.size());
    out.reserve(count);
    for (auto it = lines_.end() - static_cast<std::ptrdiff_t>(count); it != lines_.end(); ++it) out.push_back(&*it);
    return out;
}

}  // namespace tend
