#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <spdlog/spdlog.h>

#include "tend/log/logging.hpp"
#include "tend/log/queued_log.hpp"
#include "tend/util/unique_fd.hpp"
#include "test_pipe.hpp"

namespace unit_queued_log_test {

using namespace tend;
using tend::testing::TestPipe;

TEST_CASE("tend's log never waits for stderr: past the bound lines are dropped, then counted") {
    setup_logging(LogFormat::text, "info");
    EventLoop loop;
    UniqueFd null_fd(open("/dev/null", O_WRONLY | O_CLOEXEC));
    OutputWriter to_null(loop, null_fd.get(), "test output");
    TestPipe stderr_pipe;
    std::string everything;
    {
        QueuedLog log(loop, to_null, null_fd.get(), stderr_pipe.write.get());
        std::string padding(200, 'p');
        // Nobody reads the pipe and the loop does not turn: all of this queues, then overflows.
        for (int i = 0; i < 10000; ++i) spdlog::info("line {} {}", i, padding);
        CHECK(log.dropped() > 0);
        // The reader comes back: the queue drains; the next line brings the count with it.
        for (int turn = 0; turn < 1000 && everything.size() < QueuedLog::kMaxQueued; ++turn) {
            sd_event_run(loop.get(), 0);
            everything += stderr_pipe.drain();
        }
        spdlog::info("after the stall");
        for (int turn = 0; turn < 100; ++turn) {
            sd_event_run(loop.get(), 0);
            everything += stderr_pipe.drain();
        }
    }
    everything += stderr_pipe.drain();
    CHECK(everything.find("line 0 ") != std::string::npos);
    CHECK(everything.find("line 9999 ") == std::string::npos);
    auto notice = everything.find(" log lines were dropped while stderr was not read");
    REQUIRE(notice != std::string::npos);
    CHECK(notice < everything.find("after the stall"));
    CHECK(everything.find("tend warning: ") != std::string::npos);  // the notice is a formatted log line
}

TEST_CASE("when stderr is stdout's own file, the log goes through stdout's writer") {
    setup_logging(LogFormat::text, "info");
    EventLoop loop;
    TestPipe shared;
    OutputWriter to_shared(loop, shared.write.get(), "test output");
    {
        QueuedLog log(loop, to_shared, shared.write.get(), shared.write.get());
        spdlog::info("through the shared writer");
        CHECK(to_shared.queued() > 0);
        sd_event_run(loop.get(), 0);
    }
    CHECK(shared.drain().find("through the shared writer") != std::string::npos);
}

}  // namespace unit_queued_log_test
