// Readiness pattern benchmark: the time to search one 64 KiB line (the longest
// line tend passes on whole) with tend's Pattern, for patterns that make RE2's
// DFA outgrow its cache, against a plain pattern in the same run. Prints
// figures; asserts nothing. Build and run from the top directory:
//
//   g++ -O2 -std=c++20 -Iinclude bench/pattern_bench.cpp src/util/pattern.cpp -l:libre2.a -pthread \
//       -o /tmp/pattern_bench && /tmp/pattern_bench
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "tend/util/pattern.hpp"

namespace {

double ms_per_search(const tend::Pattern& pattern, const std::string& line, int rounds) {
    auto began = std::chrono::steady_clock::now();
    int found = 0;
    for (int i = 0; i < rounds; ++i) found += pattern.search(line);
    auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
    return found >= 0 ? took / rounds : 0;
}

std::string line_of(const char* alphabet, std::size_t letters) {
    std::string line;
    unsigned x = 1;
    for (std::size_t i = 0; i < 64 * 1024; ++i) {
        x = x * 1103515245 + 12345;
        line += alphabet[(x >> 16) % letters];
    }
    return line;
}

}  // namespace

int main() {
    const std::vector<std::string> lines = {line_of("ab", 2), line_of("abc ", 4)};
    const std::vector<std::string> patterns = {
        "started.*port [0-9]+",  // the baseline: what a readiness pattern looks like
        "(a+)+$",
        "((a|b){15}){7}c",
        "((a|b){25}){12}c",
        "((a|b|c| ){20}){10}x",
        "(a|b)*a(a|b){200}c",
        "(.*){100}c",
        "((a|b){30}){30}c",  // over the limit: refused
    };
    double baseline = 0;
    std::printf("%-24s %8s %12s %12s\n", "pattern", "program", "ms/line", "x baseline");
    for (const auto& text : patterns) {
        try {
            tend::Pattern pattern(text);
            double worst = 0;
            for (const auto& line : lines) worst = std::max(worst, ms_per_search(pattern, line, 5));
            if (baseline == 0) baseline = worst;
            std::printf("%-24s %8s %12.3f %12.1f\n", text.c_str(), "", worst, worst / baseline);
        } catch (const std::invalid_argument& e) {
            std::printf("%-24s refused: %s\n", text.c_str(), e.what());
        }
    }
}
