#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tend/process/process_scanner.hpp"
#include "tend/process/process_usage.hpp"

namespace unit_process_usage_test {

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

TEST_CASE("a stat line's fields are numbers where numbers are due; a short or broken one has no usage") {
    CHECK_FALSE(parse_stat_usage("1 (x) S 1 x 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 0 3", 100, 4096));
    CHECK_FALSE(parse_stat_usage("1 (x) S 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 0", 100, 4096));
    CHECK_FALSE(parse_stat_usage("1 (x) SS 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 0 3", 100, 4096));
    auto usage = parse_stat_usage("1 (x) S 1 7 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 0 3\n", 100, 4096);
    REQUIRE(usage);
    CHECK(usage->pgrp == 7);
    CHECK(usage->usage.rss_bytes == 3u * 4096u);
}

TEST_CASE("a scan finds tend's own process group with its usage, keeps its stat files, and tend holds open files") {
    ProcessScanner scanner;
    auto groups = scanner.scan();
    REQUIRE(groups.count(getpgrp()) == 1);
    CHECK(groups[getpgrp()].rss_bytes > 0);
    CHECK(scanner.kept() >= 1);
    auto again = scanner.scan();  // through the kept files
    REQUIRE(again.count(getpgrp()) == 1);
    CHECK(again[getpgrp()].rss_bytes > 0);
    CHECK(own_usage().rss_bytes > 0);
    CHECK(own_open_fds() >= 3);
}

TEST_CASE("a scan drops the kept stat file of a process that is gone, and finds a new process group") {
    ProcessScanner scanner;
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        setpgid(0, 0);
        for (;;) pause();  // until killed
    }
    setpgid(child, child);  // either side may set it first
    auto groups = scanner.scan();
    CHECK(groups.count(child) == 1);
    CHECK(scanner.keeps(child));
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    groups = scanner.scan();
    CHECK(groups.count(child) == 0);
    CHECK_FALSE(scanner.keeps(child));
}

}  // namespace unit_process_usage_test
