#include "tend/output/line_splitter.hpp"

#include <cstring>

namespace tend {

void LineSplitter::emit(std::string_view text, const Sink& sink) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    sink(text, continuing_);
    continuing_ = false;
}

// Cuts only what is over the limit, so a line just at it is never split.
void LineSplitter::cut_overlong(const Sink& sink) {
    std::size_t cut = 0;
    while (partial_.size() - cut > max_line_) {
        sink(std::string_view(partial_).substr(cut, max_line_), continuing_);
        continuing_ = true;
        cut += max_line_;
    }
    partial_.erase(0, cut);
}

void LineSplitter::feed(std::string_view bytes, const Sink& sink) {
    while (!bytes.empty()) {
        const void* found = std::memchr(bytes.data(), '\n', bytes.size());
        if (!found) {
            partial_.append(bytes);
            cut_overlong(sink);
            return;
        }
        std::size_t end = static_cast<const char*>(found) - bytes.data();
        if (partial_.empty() && end <= max_line_) {
            emit(bytes.substr(0, end), sink);  // the common case: no copy
        } else {
            partial_.append(bytes.substr(0, end));
            cut_overlong(sink);
            emit(partial_, sink);
            partial_.clear();
        }
        bytes.remove_prefix(end + 1);
    }
}

void LineSplitter::flush(const Sink& sink) {
    if (partial_.empty() && !continuing_) return;
    if (!partial_.empty()) emit(partial_, sink);
    partial_.clear();
    continuing_ = false;
}

}  // namespace tend
