#include <doctest/doctest.h>

#include "tend/util/rate_limiter.hpp"

namespace unit_rate_limiter_test {

using namespace tend;
using namespace std::chrono_literals;

TEST_CASE("a rate limiter admits the first of each window and counts the rest") {
    RateLimiter limiter(10s);
    RateLimiter::TimePoint t{};
    CHECK(limiter.admit(t));
    CHECK_FALSE(limiter.admit(t + 1s));
    CHECK_FALSE(limiter.admit(t + 9s));
    CHECK(limiter.window_end() == t + 10s);
    CHECK(limiter.take_suppressed() == 2);
    CHECK(limiter.take_suppressed() == 0);
    CHECK(limiter.admit(t + 10s));  // a new window
    CHECK_FALSE(limiter.admit(t + 11s));
    CHECK(limiter.window_end() == t + 20s);
    CHECK(limiter.take_suppressed() == 1);
}

}  // namespace unit_rate_limiter_test
