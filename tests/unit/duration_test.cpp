#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "tend/util/duration.hpp"

namespace unit_duration_test {

using namespace tend;
using namespace std::chrono_literals;

TEST_CASE("durations parse with every unit DESIGN.md names") {
    CHECK(parse_duration("250ms") == Duration(250));
    CHECK(parse_duration("10s") == Duration(10'000));
    CHECK(parse_duration("2m") == Duration(120'000));
    CHECK(parse_duration("1h") == Duration(3'600'000));
}

TEST_CASE("a bare number is seconds, fractions included") {
    CHECK(parse_duration("3") == Duration(3000));
    CHECK(parse_duration("0.5") == Duration(500));
    CHECK(parse_duration("0") == Duration(0));
    CHECK(parse_duration("1.5s") == Duration(1500));
}

TEST_CASE("malformed durations are rejected") {
    for (const char* bad : {"", "ms", "10x", "10 s", "-1s", "s10", "1e20h", "nan", "10sec", "1.2.3"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}

TEST_CASE("durations format back in the largest exact unit") {
    CHECK(format_duration(Duration(250)) == "250ms");
    CHECK(format_duration(Duration(10'000)) == "10s");
    CHECK(format_duration(Duration(120'000)) == "2m");
    CHECK(format_duration(Duration(7'200'000)) == "2h");
    CHECK(format_duration(Duration(0)) == "0s");
    CHECK(format_duration(Duration(1500)) == "1500ms");
}

TEST_CASE("a duration's nanoseconds always fit: at most 87600h") {
    CHECK(parse_duration("87600h") == kMaxDuration);
    CHECK_FALSE(parse_duration("87601h"));
    CHECK_FALSE(parse_duration("9223372036854775807"));
    CHECK_FALSE(parse_duration("1e300s"));
    CHECK_FALSE(parse_duration("inf"));
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(kMaxDuration);
    CHECK(ns.count() > 0);
    CHECK(ns.count() < std::numeric_limits<std::int64_t>::max() / 4);  // room for sums and now()
}

TEST_CASE("Go's durations, as compose files write them, are sums of numbers with units") {
    CHECK(parse_duration("1m30s") == Duration(90'000));
    CHECK(parse_duration("1h2m3s") == Duration(3'723'000));
    CHECK(parse_duration("1.5s") == Duration(1500));
    CHECK(parse_duration("1h0.5m") == Duration(3'630'000));
    CHECK(parse_duration("2s500ms") == Duration(2500));
    CHECK(parse_duration("1500us") == Duration(2));  // rounded to the millisecond
    CHECK(parse_duration("3000000ns") == Duration(3));
    CHECK(parse_duration("1000\xc2\xb5s") == Duration(1));
}

TEST_CASE("a Go duration with a part missing its unit, or a unit Go lacks, is rejected") {
    for (const char* bad : {"1h30", "1m 30s", "1d", "m30s", "1..5s", "30s1", "1hh", "-1m30s", "1e3s", "1m+30s"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
    CHECK_FALSE(parse_duration("87599h61m"));
    CHECK(parse_duration("87599h60m") == kMaxDuration);
}

}  // namespace unit_duration_test
