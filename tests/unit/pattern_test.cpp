#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "tend/util/pattern.hpp"

namespace unit_pattern_test {

using namespace tend;

namespace {

std::string refusal(const std::string& text) {
    try {
        Pattern p(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a pattern is searched anywhere in the line") {
    Pattern p("started.*port [0-9]+");
    CHECK(p.search("2026-01-01 server started on port 8080"));
    CHECK_FALSE(p.search("server started"));
    CHECK(p.text() == "started.*port [0-9]+");
    CHECK(Pattern("^ready$").search("ready"));
    CHECK_FALSE(Pattern("^ready$").search("not ready"));
    CHECK(Pattern("(?i)READY").search("ready to accept connections"));
    CHECK(Pattern(R"(\bpid=\d+)").search("worker pid=42 up"));
}

TEST_CASE("a line that is not UTF-8 (Latin-1 output) is matched byte by byte, as are UTF-8 patterns") {
    // `.` is any byte: a service printing Latin-1 or stray binary still becomes ready.
    CHECK(Pattern("started.*port").search("started caf\xe9 on port 80"));
    CHECK(Pattern("started.*port").search("started \xff\xfe\x80 port"));
    CHECK(Pattern("caf.").search("caf\xe9"));
    CHECK(Pattern("caf\xc3\xa9 ouvert").search("le caf\xc3\xa9 ouvert"));
    CHECK_FALSE(Pattern("caf\xc3\xa9").search("caf\xe9"));
}

TEST_CASE("copies share the compiled pattern and keep matching") {
    Pattern a("ab+c");
    Pattern b = a;
    CHECK(b.search("xabbbcx"));
    CHECK(&a.text() == &b.text());
}

TEST_CASE("what RE2 cannot match in linear time is refused with the reason") {
    CHECK(refusal(R"((a)\1)") ==
          R"(back-references such as \1 are not supported (patterns use RE2 syntax, which matches in linear time))");
    CHECK(refusal("foo(?=bar)") ==
          "look-around such as (?= is not supported (patterns use RE2 syntax, which matches in linear time)");
    CHECK(refusal("(?<!x)y") ==
          "look-around such as (?<! is not supported (patterns use RE2 syntax, which matches in linear time)");
    CHECK(refusal("[a-") == "missing ]: [a-");
    CHECK(refusal("a{1001}") == "invalid repetition size: {1001}");
}

TEST_CASE("a pattern of 50,000 nested groups is refused by its length, before RE2 parses it") {
    std::string deep = std::string(50000, '(') + "a" + std::string(50000, ')');
    CHECK(refusal(deep) == "too long: 100001 bytes, at most 1024");
}

TEST_CASE("a pattern of 1024 bytes is compiled and one of 1025 is refused by its length") {
    std::string classes;
    while (classes.size() < 1024) classes += "[a-z]";
    classes.resize(1024);  // ends in "[a-z": make it a class again
    classes.replace(1020, 4, "abcd");
    CHECK(Pattern(classes).search(std::string(204, 'q') + "abcd"));
    CHECK(refusal(std::string(1025, 'a')) == "too long: 1025 bytes, at most 1024");
    // At the limit, the other bounds still hold: 511 nested groups are too complex.
    CHECK(refusal(std::string(511, '(') + "a" + std::string(511, ')')) ==
          "too complex: 1027 steps per character once compiled, at most 1000 (so that no line can hold tend's loop)");
}

TEST_CASE("a short pattern whose program would be huge is refused by a first compile in a small budget") {
    // 113 times a{2,1000}: 1017 bytes, 225,778 steps; RE2 took 19 s of CPU to build it in 8 MiB.
    std::string huge;
    while (huge.size() + 9 <= Pattern::kMaxLength) huge += "a{2,1000}";
    const auto began = std::chrono::steady_clock::now();
    CHECK(refusal(huge) ==
          "too complex: far more than 1000 steps per character once compiled (so that no line can hold tend's loop)");
    // Generous for a loaded machine or a sanitizer build: it took 35 ms under load.
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(3));
}

TEST_CASE("a pattern whose search would cost too much per character is refused") {
    // Its DFA outgrows the cache and the NFA fallback took 6 s on a 64 KiB line.
    CHECK(refusal("((a|b){30}){30}c") ==
          "too complex: 2765 steps per character once compiled, at most 1000 (so that no line can hold tend's loop)");
    CHECK(refusal("((a|b){25}){12}c") == "");
}

TEST_CASE("a catastrophic backtracking pattern runs in linear time on a long line") {
    // (a+)+$ takes exponential time in a backtracking engine on "aaa...!".
    Pattern p("(a+)+$");
    std::string line(16 * 1024, 'a');
    line += '!';
    CHECK_FALSE(p.search(line));
    line.back() = 'a';
    CHECK(p.search(line));
}

TEST_CASE("a 64 KiB line is searched without recursion") {
    // std::regex recursed per character here and overflowed the stack.
    Pattern p("started.*port");
    CHECK(p.search("started " + std::string(1000, 'x') + " port" + std::string(64 * 1024, 'x')));
    CHECK_FALSE(p.search(std::string(64 * 1024, 'x')));
}

TEST_CASE("a long line is searched in a prefix that shrinks as the pattern grows, its anchors at its real ends") {
    Pattern simple("ready");
    Pattern costly("((a|b){25}){12}c");
    CHECK(simple.searched_length() > 16 * 1024);
    CHECK(costly.searched_length() == Pattern::kStepsPerSearch / 929);
    const std::string far = std::string(simple.searched_length(), 'x') + "ready";
    CHECK_FALSE(simple.search(far));
    CHECK(simple.search(far.substr(5)));
    // $ does not match where the search stops, only at the line's end.
    Pattern end("x$");
    CHECK_FALSE(end.search(std::string(64 * 1024, 'x') + "!"));
    CHECK(end.search("abx"));
}

}  // namespace unit_pattern_test
