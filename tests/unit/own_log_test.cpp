#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tend/log/own_log.hpp"

namespace unit_own_log_test {

using namespace tend;

TEST_CASE("tend's own log keeps whole lines up to its bound, oldest dropped first") {
    OwnLog log;
    std::string line(1000, 'x');
    line += '\n';
    for (int i = 0; i < 200; ++i) log.append(std::to_string(i) + line);  // about 200 KB
    std::string text = log.text();
    CHECK(text.size() <= OwnLog::kMaxBytes);
    CHECK(text.size() > OwnLog::kMaxBytes - 2 * line.size());
    CHECK(text.starts_with(std::to_string(200 - text.size() / (line.size() + 3)) + "x"));  // a whole line first
    CHECK(text.ends_with("x\n"));
    log.clear();
    CHECK(log.text().empty());
}

TEST_CASE("followers of tend's own log get each line from then on, until they unsubscribe") {
    OwnLog log;
    log.append("before\n");
    std::vector<std::string> seen;
    Subscription follow = log.follow([&seen](std::string_view line) { seen.emplace_back(line); });
    log.append("one\n");
    log.append("two\n");
    follow.reset();
    log.append("three\n");
    CHECK(seen == std::vector<std::string>{"one\n", "two\n"});
    CHECK(log.text() == "before\none\ntwo\nthree\n");
}

}  // namespace unit_own_log_test
