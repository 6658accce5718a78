#include <doctest/doctest.h>

#include "tend/service/backoff.hpp"

namespace unit_backoff_test {

using namespace tend;

TEST_CASE("backoff doubles from initial and stops at max") {
    Backoff b{Duration(200), Duration(1000), 2.0};
    CHECK(backoff_delay(b, 1) == Duration(200));
    CHECK(backoff_delay(b, 2) == Duration(400));
    CHECK(backoff_delay(b, 3) == Duration(800));
    CHECK(backoff_delay(b, 4) == Duration(1000));
    CHECK(backoff_delay(b, 50) == Duration(1000));
}

TEST_CASE("a huge failure count saturates instead of overflowing") {
    Backoff b{Duration(200), Duration(30'000), 10.0};
    CHECK(backoff_delay(b, 100000) == Duration(30'000));
}

TEST_CASE("factor 1 keeps the delay constant and zero initial means no delay") {
    CHECK(backoff_delay({Duration(300), Duration(5000), 1.0}, 7) == Duration(300));
    CHECK(backoff_delay({Duration(0), Duration(5000), 2.0}, 3) == Duration(0));
}

TEST_CASE("no NaN or overflow reaches the conversion: zero initial with a huge streak, a huge factor") {
    CHECK(backoff_delay({Duration(0), Duration(5000), 1e308}, 10000) == Duration(0));
    CHECK(backoff_delay({Duration(1), Duration(5000), 1e308}, 10000) == Duration(5000));
    CHECK(backoff_delay({Duration(kMaxDuration), kMaxDuration, 2.0}, 3) == kMaxDuration);
}

}  // namespace unit_backoff_test
