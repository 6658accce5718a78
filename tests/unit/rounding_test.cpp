// src/util/rounding.cpp replaces libm's ceil, floor, lround, llround and fmod
// in the programs (and in this test binary): they must give libm's answers.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

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

#if defined(__x86_64__) || defined(__i386__)
namespace {

// The references: libm's own fmod, found past this binary's (dlsym RTLD_NEXT:
// glibc's is integer arithmetic on the bits, not the x87's), and its long double
// fmodl (the x87's loop, in glibc). A remainder of two doubles is exact, so all
// three give the same double.
using Fmod = double (*)(double, double);
const Fmod libm_fmod = reinterpret_cast<Fmod>(dlsym(RTLD_NEXT, "fmod"));

bool same_as_libm(double x, double y) {
    const double ours = std::fmod(v(x), v(y));
    for (double theirs : {libm_fmod(x, y), static_cast<double>(fmodl(x, y))}) {
        if (std::isnan(theirs) ? !std::isnan(ours) : std::bit_cast<std::uint64_t>(ours) != std::bit_cast<std::uint64_t>(theirs)) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("fmod is exact, keeps the dividend's sign, and is NaN where libm's is") {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double tiny = std::numeric_limits<double>::denorm_min();
    REQUIRE((libm_fmod != nullptr && libm_fmod != static_cast<Fmod>(&::fmod)));
    CHECK(std::fmod(v(7.0), v(3.0)) == 1.0);
    CHECK(std::fmod(v(-7.0), v(3.0)) == -1.0);
    CHECK(std::fmod(v(7.0), v(-3.0)) == 1.0);
    CHECK(std::fmod(v(5.5), v(1.25)) == 0.5);
    CHECK(negative_zero(std::fmod(v(-6.0), v(3.0))));
    CHECK(negative_zero(std::fmod(v(-0.0), v(3.0))));
    CHECK(std::isnan(std::fmod(v(1.0), v(0.0))));
    CHECK(std::isnan(std::fmod(v(inf), v(2.0))));
    CHECK(std::isnan(std::fmod(v(nan), v(2.0))));
    CHECK(std::isnan(std::fmod(v(2.0), v(nan))));
    CHECK(std::fmod(v(2.5), v(inf)) == 2.5);
    // Quotients near the largest there is (about 2^2098), whose remainder is not
    // zero early: the partial remainder is repeated some 60 times.
    CHECK(same_as_libm(std::numeric_limits<double>::max(), tiny * 3));
    CHECK(same_as_libm(std::numeric_limits<double>::max(), tiny * 7));
    CHECK(same_as_libm(-std::numeric_limits<double>::max(), tiny * 3));
    CHECK(same_as_libm(1e308, 3.0));
    CHECK(same_as_libm(tiny * 7, tiny * 2));
    CHECK(same_as_libm(0.1, 0.01));
    // Every kind of double (subnormals, infinities, NaNs) as random bit patterns,
    // and pairs of nearby magnitudes, where most remainders are not zero.
    std::mt19937_64 random(20261207);
    int differing = 0;
    for (int i = 0; i < 200000; ++i) {
        std::uint64_t a = random(), b = random();
        if (i % 2) b = (a & 0xfff0'0000'0000'0000) ^ (b & 0x800f'ffff'ffff'ffff) ^ (std::uint64_t{random() % 8} << 52);
        if (!same_as_libm(std::bit_cast<double>(a), std::bit_cast<double>(b))) ++differing;
    }
    CHECK(differing == 0);
}
#endif

}  // namespace unit_rounding_test
