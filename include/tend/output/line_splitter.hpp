// Cuts a byte stream (a service's pipe) into lines. Holds a partial line until
// its newline arrives or flush() is called (the service exited); cuts a line
// longer than the limit into pieces, the later ones marked as continuations.
// Bytes pass through untouched, binary or not; a CR before the LF is dropped.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace tend {

class LineSplitter {
public:
    static constexpr std::size_t kDefaultMaxLine = 64 * 1024;

    // `text` excludes the newline; `continued` is true for every piece of a cut
    // line but its first.
    using Sink = std::function<void(std::string_view text, bool continued)>;

    explicit LineSplitter(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

    void feed(std::string_view bytes, const Sink& sink);
    // Emits the held partial line, if any, as if its newline had come.
    void flush(const Sink& sink);

    std::size_t pending() const { return partial_.size(); }

private:
    void emit(std::string_view text, const Sink& sink);
    void cut_overlong(const Sink& sink);

    std::size_t max_line_;
    std::string partial_;
    bool continuing_ = false;  // the next piece continues a line cut at max_line_
};

}  // namespace tend
