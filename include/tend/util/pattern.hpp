// A regular expression from the config (`ready: {log: ...}`), compiled and
// searched with RE2: time linear in the text, no recursion and bounded memory,
// so neither a line a service prints nor a pattern a config holds can exhaust
// PID 1's stack or hold its loop. tend check, reload and the running checks
// all compile through here, so what one accepts the others accept.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace tend {

class Pattern {
public:
    // RE2's memory for one pattern (its default): the compiled program and the
    // DFA's cache. A DFA that fills its cache falls back to RE2's slower NFA.
    static constexpr std::size_t kMaxMemory = 8 << 20;
    // When the DFA gives up, RE2's NFA costs about 30 ns per program step per
    // character (bench/pattern_bench.cpp: `(a|b)*a(a|b){200}c`, 609 steps, took
    // 1.2 s on a 64 KiB line). So one search reads at most kStepsPerSearch /
    // program size characters of a line (about 8 ms at worst), and a program
    // over kMaxProgramSize steps is refused (it would leave too little to read).
    static constexpr std::size_t kStepsPerSearch = 256 * 1024;
    static constexpr int kMaxProgramSize = 1000;
    // A pattern is refused by its length before RE2 parses it: compiling is
    // paid on the loop at a reload, and RE2 pays for a pattern of 50,000
    // nested groups in time and memory before it says the result is too big.
    // A readiness pattern is a phrase, not a page.
    static constexpr std::size_t kMaxLength = 1024;
    // Within that length RE2 can still build a program of 400,000 steps before
    // kMaxProgramSize refuses it (`a{2,1000}` 113 times took 19 s of CPU in
    // kMaxMemory). So a pattern is first compiled in this budget, room for some
    // 20,000 steps, far over kMaxProgramSize: what does not fit is refused in
    // tens of milliseconds.
    static constexpr std::size_t kTrialMemory = 1 << 20;

    // Throws std::invalid_argument whose what() is the reason alone ("missing ]: [",
    // "back-references such as \1 are not supported ..."), for the caller to place.
    explicit Pattern(std::string_view text);
    ~Pattern();
    Pattern(const Pattern&) = default;
    Pattern& operator=(const Pattern&) = default;

    // Whether the pattern matches within the first searched_length() bytes of `text`
    // (^, $ and \b still see the whole of it).
    bool search(std::string_view text) const;
    std::size_t searched_length() const { return searched_length_; }
    const std::string& text() const;

private:
    std::shared_ptr<const re2::RE2> compiled_;  // immutable once built: copies share it
    std::size_t searched_length_ = 0;
};

}  // namespace tend
