#include <doctest/doctest.h>

#include <csignal>

#include "tend/util/signal_names.hpp"

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
