#include <doctest/doctest.h>

#include <csignal>

#include "tend/util/signal_names.hpp"

namespace unit_signal_names_test {

using namespace tend;

TEST_CASE("signals parse by short name, SIG name, any case, or number") {
    CHECK(parse_signal("TERM") == SIGTERM);
    CHECK(parse_signal("SIGTERM") == SIGTERM);
    CHECK(parse_signal("sigint") == SIGINT);
    CHECK(parse_signal("hup") == SIGHUP);
    CHECK(parse_signal("9") == SIGKILL);
    CHECK(parse_signal("USR2") == SIGUSR2);
    CHECK(parse_signal("WINCH") == SIGWINCH);
}

TEST_CASE("unknown signal names and out-of-range numbers are rejected") {
    for (const char* bad : {"", "TERMINATE", "SIG", "0", "65", "-1", "15x", "SIGFOO"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_signal(bad).has_value());
    }
}

TEST_CASE("signal names print with the SIG prefix") {
    CHECK(signal_name(SIGKILL) == "SIGKILL");
    CHECK(signal_name(SIGTERM) == "SIGTERM");
    CHECK(signal_name(SIGRTMIN + 2) == "SIGRTMIN+2");
}

TEST_CASE("real-time signals are named as Docker and kill(1) write them") {
    CHECK(parse_signal("RTMIN") == SIGRTMIN);
    CHECK(parse_signal("SIGRTMIN+3") == SIGRTMIN + 3);
    CHECK(parse_signal("rtmax-1") == SIGRTMAX - 1);
    CHECK(parse_signal("RTMAX") == SIGRTMAX);
    CHECK_FALSE(parse_signal("RTMIN+99"));
    CHECK_FALSE(parse_signal("RTMIN-1"));
    CHECK_FALSE(parse_signal("RTMIN+"));
    CHECK(signal_name(SIGRTMIN + 3) == "SIGRTMIN+3");
}

TEST_CASE("numbers the C library keeps for itself are no signal (a fuzzer found 33)") {
    CHECK_FALSE(parse_signal("32").has_value());
    CHECK_FALSE(parse_signal("33").has_value());
    CHECK(parse_signal("31") == SIGSYS);
    CHECK(parse_signal(std::to_string(SIGRTMIN)) == SIGRTMIN);
    // Every number that parses prints as a name that parses back to it.
    for (int n = 1; n < 70; ++n)
        if (auto sig = parse_signal(std::to_string(n))) CHECK(parse_signal(signal_name(*sig)) == sig);
}

}  // namespace unit_signal_names_test
