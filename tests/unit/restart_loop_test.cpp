#include <doctest/doctest.h>

#include "tend/service/restart_loop.hpp"

namespace unit_restart_loop_test {

using namespace tend;
using namespace std::chrono_literals;

TEST_CASE("five restarts within a minute are a loop, told once") {
    RestartLoop loop;
    RestartLoop::TimePoint at{};
    for (int i = 0; i < 4; ++i, at += 1s) CHECK_FALSE(loop.note(at));
    CHECK(loop.note(at));
    for (int i = 0; i < 100; ++i) CHECK_FALSE(loop.note(at += 1s));
}

TEST_CASE("restarts spread wider than a minute are no loop") {
    RestartLoop loop;
    RestartLoop::TimePoint at{};
    for (int i = 0; i < 100; ++i) CHECK_FALSE(loop.note(at += 16s));
    // Then they come faster: 16 + 16 + 16 + 13 s is over a minute, 16 + 16 + 13 + 13 s is not.
    CHECK_FALSE(loop.note(at += 13s));
    CHECK(loop.note(at += 13s));
}

}  // namespace unit_restart_loop_test
