// Compile time (thread CPU) of patterns at tend's 1024-byte limit, through tend::Pattern:
// the families that make RE2 build the biggest programs. Prints figures; asserts nothing.
//   g++ -O2 -std=c++20 -Iinclude bench/pattern_compile_bench.cpp src/util/pattern.cpp -l:libre2.a -pthread \
//       -o /tmp/pattern_compile_bench && /tmp/pattern_compile_bench 5
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>
#include <algorithm>
#include "tend/util/pattern.hpp"
#include <time.h>
#include <re2/re2.h>
static double cpu_ms(){timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t); return t.tv_sec*1e3+t.tv_nsec/1e6;}

static std::string fill(const std::string& unit, std::size_t limit = 1024, const std::string& prefix = "") {
    std::string s = prefix;
    while (s.size() + unit.size() <= limit) s += unit;
    return s;
}
static std::string nest(const std::string& open, const std::string& mid, const std::string& close) {
    int n = (1024 - mid.size()) / (open.size() + close.size());
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    s += mid;
    for (int i = 0; i < n; ++i) s += close;
    return s;
}

int main(int argc, char** argv) {
    std::vector<std::pair<std::string, std::string>> cases = {
        {"ready to accept connections", "ready to accept connections"},
        {"511 nested groups", nest("(", "a", ")")},
        {"nested (?: groups", nest("(?:", "a", ")")},
        {"nested (a|", nest("(a|", "b", ")")},
        {"nested (?i)(a*", nest("(a*", "b", ")*")},
        {"x{1000} repeated", fill("x{1000}")},
        {".{1000} repeated", fill(".{1000}")},
        {"[^a]{1000} repeated", fill("[^a]{1000}")},
        {"\\w{1000} repeated", fill("\\w{1000}")},
        {"(?i)\\pL{1000} repeated", fill("\\pL{1000}", 1024, "(?i)")},
        {"\\PL{1000} repeated", fill("\\PL{1000}")},
        {"(a|b){1000} repeated", fill("(a|b){1000}")},
        {"(?:a|b|c|d|e){1000} rep", fill("(?:a|b|c|d|e){1000}")},
        {"(?i)[a-z]{1000} repeated", fill("[a-z]{1000}", 1024, "(?i)")},
        {"(.*){1000} repeated", fill("(.*){1000}")},
        {"(a?){1000} repeated", fill("(a?){1000}")},
        {"(x{10}){100} repeated", fill("(x{10}){100}")},
        {"((a{10}){10}){10} rep", fill("((a{10}){10}){10}")},
        {"a{2,1000} repeated", fill("a{2,1000}")},
        {"(a{0,1000}){0,1} rep", fill("a{0,1000}")},
        {"(?s:.){1000} repeated", fill("(?s:.){1000}")},
        {"[\\x00-\\xff]{1000} rep", fill("[\\x00-\\xff]{1000}")},
        {"\\b{1000}?", fill("(?:\\b){1000}")},
        {"alternation of words", fill("word|")+"x"},
        {"(?i)long literal", fill("abcdefghij", 1024, "(?i)")},
        {"long literal", fill("abcdefghij")},
        {"[a-z0-9]* repeated", fill("[a-z0-9]*")},
        {"(a*)* chain", fill("(a*)*")},
        {"50,000 nested groups", nest("(", "a", ")") /* placeholder */},
    };
    cases.back().second = std::string(50000, '(') + "a" + std::string(50000, ')');
    setvbuf(stdout, nullptr, _IOLBF, 0);
    double worst = 0;
    for (auto& [name, text] : cases) {
        std::vector<double> times;
        std::string result;
        int rounds = argc > 1 ? std::atoi(argv[1]) : 21;
        for (int i = 0; i < rounds; ++i) {
            double c0 = cpu_ms();
            try { tend::Pattern p(text); result = "accepted"; }
            catch (const std::invalid_argument& e) { result = e.what(); }
            times.push_back(cpu_ms() - c0);
        }
        std::sort(times.begin(), times.end());
        std::printf("%-28s %5zu B  cpu median %8.3f ms  max %8.3f ms  %s\n", name.c_str(), text.size(), times[times.size()/2], times.back(), result.substr(0, 60).c_str());
        if (text.size() <= 1024) worst = std::max(worst, times[times.size()/2]);
    }
    std::printf("worst median at the limit: %.3f ms\n", worst);
    {
        std::string deep = std::string(50000, '(') + "a" + std::string(50000, ')');
        re2::RE2::Options o; o.set_log_errors(false); o.set_encoding(re2::RE2::Options::EncodingLatin1); o.set_max_mem(8 << 20);
        for (int i = 0; i < 3; ++i) { double c0 = cpu_ms(); re2::RE2 re(deep, o); std::printf("before the limit, 50,000 nested groups: cpu %.1f ms, ProgramSize %d\n", cpu_ms() - c0, re.ok() ? re.ProgramSize() : -1); }
    }
}
