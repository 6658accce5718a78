#include <doctest/doctest.h>

#include "tend/supervisor/shutdown_sequence.hpp"

namespace unit_shutdown_sequence_test {

using namespace tend;
using namespace std::chrono_literals;

TEST_CASE("a shutdown begins once, with its deadline") {
    ShutdownSequence s;
    auto now = ShutdownSequence::Clock::now();
    CHECK_FALSE(s.started());
    CHECK(s.begin(now, 5s));
    CHECK(s.phase() == ShutdownSequence::Phase::stopping_services);
    CHECK(s.deadline() == now + 5s);
    CHECK_FALSE(s.begin(now + 1s, 1s));  // a second request changes nothing
    CHECK(s.deadline() == now + 5s);
}

TEST_CASE("the exit code: a critical service's own first, then the deadline, then SIGKILLs, else 0") {
    ShutdownSequence s;
    CHECK(s.exit_code(10s) == std::pair<int, std::string>{0, ""});
    s.note_kill("web needed SIGKILL after stop_timeout 1s");
    s.note_kill("db needed SIGKILL after stop_timeout 2s");
    CHECK(s.exit_code(10s) ==
          std::pair<int, std::string>{1, "web needed SIGKILL after stop_timeout 1s; db needed SIGKILL after stop_timeout 2s"});
    s.note_deadline_hit();
    CHECK(s.exit_code(10s) == std::pair<int, std::string>{1, "shutdown_timeout 10s was hit"});
    s.note_critical_end(3, "critical service app ended (exited with code 3)");
    s.note_critical_end(4, "critical service other ended");  // the first one decides
    CHECK(s.exit_code(10s) == std::pair<int, std::string>{3, "critical service app ended (exited with code 3)"});
}

TEST_CASE("grace is skipped once; the phases after the services are sweeping ones") {
    ShutdownSequence s;
    CHECK(s.skip_grace());
    CHECK_FALSE(s.skip_grace());
    CHECK(s.skipping_grace());
    CHECK(s.count_interrupt() == 1);
    CHECK(s.count_interrupt() == 2);
    s.enter(ShutdownSequence::Phase::sweeping);
    CHECK(s.sweeping());
    s.enter(ShutdownSequence::Phase::killing);
    CHECK(s.sweeping());
    s.enter(ShutdownSequence::Phase::done);
    CHECK(s.done());
    CHECK_FALSE(s.sweeping());
}

}  // namespace unit_shutdown_sequence_test
