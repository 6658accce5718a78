#include <doctest/doctest.h>

#include <unistd.h>

#include "tend/process/process_usage.hpp"

using namespace tend;

TEST_CASE("a stat line gives its process group, CPU time and resident memory, even with ') ' in the name") {
    const char* line =
        "4242 (we) b) S 1 4240 4240 0 -1 4194560 300 0 0 0 150 50 0 0 20 0 1 0 5000 10000000 25 18446744073709551615 "
        "1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    auto usage = parse_stat_usage(line, 100, 4096);
    REQUIRE(usage);
    CHECK(usage->pgrp == 4240);
    CHECK(usage->usage.cpu_seconds == doctest::Approx(2.0));
    CHECK(usage->usage.rss_bytes == 25u * 4096u);
}

TEST_CASE("a zombie or a line that is not a stat line has no usage") {
    CHECK_FALSE(parse_stat_usage("1 (x) Z 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 0 0", 100, 4096));
    CHECK_FALSE(parse_stat_usage("garbage", 100, 4096));
    CHECK_FALSE(parse_stat_usage("1 (x) S 1", 100, 4096));
}

TEST_CASE("tend's own process group is found with its usage, and it holds open files") {
    auto groups = usage_by_group();
    REQUIRE(groups.count(getpgrp()) == 1);
    CHECK(groups[getpgrp()].rss_bytes > 0);
    CHECK(own_usage().rss_bytes > 0);
    CHECK(own_open_fds() >= 3);
}
