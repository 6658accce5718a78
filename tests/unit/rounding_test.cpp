// src/util/rounding.cpp replaces libm's ceil, floor, lround and llround in
// the programs (and in this test binary): they must give libm's answers.
#include <doctest/doctest.h>

#include <climits>
#include <cmath>
#include <limits>

namespace unit_rounding_test {

namespace {

bool negative_zero(double x) { return x == 0.0 && std::signbit(x); }

// Through a volatile, so the compiler calls the functions instead of folding constants.
double v(double x) {
    volatile double held = x;
    return held;
}

}  // namespace

TEST_CASE("ceil and floor round towards their side, keep integers and the sign of zero") {
    CHECK(std::ceil(v(1.5)) == 2.0);
    CHECK(std::ceil(v(-1.5)) == -1.0);
    CHECK(std::ceil(v(2.0)) == 2.0);
    CHECK(std::ceil(v(0.0001)) == 1.0);
    CHECK(negative_zero(std::ceil(v(-0.5))));
    CHECK(negative_zero(std::ceil(v(-0.0))));
    CHECK(std::floor(v(1.5)) == 1.0);
    CHECK(std::floor(v(-1.5)) == -2.0);
    CHECK(std::floor(v(-2.0)) == -2.0);
    CHECK(std::floor(v(0.9999)) == 0.0);
    CHECK(negative_zero(std::floor(v(-0.0))));
    CHECK(std::floor(v(-0.25)) == -1.0);
    // Near and beyond 2^52 every double is an integer.
    CHECK(std::ceil(v(4503599627370495.5)) == 4503599627370496.0);
    CHECK(std::floor(v(4503599627370495.5)) == 4503599627370495.0);
    CHECK(std::ceil(v(1e300)) == 1e300);
    CHECK(std::floor(v(-1e300)) == -1e300);
    CHECK(std::isinf(std::ceil(v(std::numeric_limits<double>::infinity()))));
    CHECK(std::isnan(std::floor(v(std::numeric_limits<double>::quiet_NaN()))));
}

TEST_CASE("lround and llround round halves away from zero and saturate to the invalid value") {
    CHECK(std::lround(v(2.5)) == 3);
    CHECK(std::lround(v(-2.5)) == -3);
    CHECK(std::lround(v(2.4999)) == 2);
    CHECK(std::lround(v(-0.4)) == 0);
    CHECK(std::llround(v(1234.5)) == 1235);
    CHECK(std::llround(v(-1234.5)) == -1235);
    CHECK(std::llround(v(0.49999999999999994)) == 0);  // the largest double below one half
    CHECK(std::llround(v(9007199254740993.0)) == 9007199254740992LL);  // already integral
    CHECK(std::llround(v(1e19)) == LLONG_MIN);
    CHECK(std::llround(v(std::numeric_limits<double>::quiet_NaN())) == LLONG_MIN);
    CHECK(std::lround(v(-9.3e18)) == LONG_MIN);
    CHECK(std::llround(v(-9.2e18)) == -9200000000000000000LL);
}

}  // namespace unit_rounding_test
