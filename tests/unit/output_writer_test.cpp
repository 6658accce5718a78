#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "tend/output/output_writer.hpp"
#include "tend/util/unique_fd.hpp"
#include "loop_turns.hpp"
#include "test_pipe.hpp"

namespace unit_output_writer_test {

using namespace tend;
using tend::testing::TestPipe;
using tend::testing::turn;

TEST_CASE("bytes are written on the next loop turn, in order, charged to their producer until then") {
    EventLoop loop;
    TestPipe pipe;
    OutputWriter writer(loop, pipe.write.get(), "test output");
    auto a = std::make_shared<QueueAccount>();
    auto b = std::make_shared<QueueAccount>();
    writer.append("a1\n", a);
    writer.append("b1\n", b);
    writer.append("a2\n", a);
    CHECK(a->queued == 6);
    CHECK(b->queued == 3);
    turn(loop);
    CHECK(pipe.drain() == "a1\nb1\na2\n");
    CHECK(a->queued == 0);
    CHECK(writer.queued() == 0);
}

TEST_CASE("a reader that stops never blocks the writer; the producer hears when its backlog is low again") {
    EventLoop loop;
    TestPipe pipe;
    OutputWriter writer(loop, pipe.write.get(), "test output");
    auto account = std::make_shared<QueueAccount>();
    int lows = 0;
    account->on_low = [&] { ++lows; };
    std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 16; ++i) writer.append(chunk, account);  // 1 MiB: far more than a pipe holds
    turn(loop);  // must return: the pipe is full, the writer waits for EPOLLOUT
    CHECK(writer.queued() > 0);
    CHECK(account->queued == writer.queued());
    writer.notify_when_low(account);
    CHECK(lows == 0);
    std::string received;
    for (int i = 0; i < 1000 && received.size() < 16 * chunk.size(); ++i) {
        received += pipe.drain();
        turn(loop, 1);
    }
    CHECK(received.size() == 16 * chunk.size());
    CHECK(lows == 1);
    CHECK(account->queued == 0);
}

TEST_CASE("a reader that is gone for good: bytes are counted as lost, never retried forever") {
    EventLoop loop;
    TestPipe pipe;
    OutputWriter writer(loop, pipe.write.get(), "test output", false);
    pipe.read.reset();
    // tend blocks every signal, so a write to a gone reader is EPIPE; here it must be ignored to be.
    auto previous = std::signal(SIGPIPE, SIG_IGN);
    auto account = std::make_shared<QueueAccount>();
    writer.append("to nobody\n", account);
    turn(loop);
    CHECK(writer.lost_bytes() == 10);
    writer.append("more\n", account);
    CHECK(writer.lost_bytes() == 15);
    // Text formatted at the open tail is dropped too, when the tail closes.
    writer.open_tail(account) += "tail\n";
    writer.close_tail();
    CHECK(writer.lost_bytes() == 20);
    CHECK(writer.queued() == 0);
    CHECK(account->queued == 0);
    std::signal(SIGPIPE, previous);
}

TEST_CASE("flush_until gives up at its deadline when nobody reads") {
    EventLoop loop;
    TestPipe pipe;
    OutputWriter writer(loop, pipe.write.get(), "test output", false);
    auto account = std::make_shared<QueueAccount>();
    writer.append(std::string(1 << 20, 'y'), account);
    auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(writer.flush_until(start + std::chrono::milliseconds(50)));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("text appended at the open tail is charged to its producer when the tail closes") {
    EventLoop loop;
    TestPipe pipe;
    OutputWriter writer(loop, pipe.write.get(), "test output");
    auto service = std::make_shared<QueueAccount>();
    auto log = std::make_shared<QueueAccount>();
    writer.open_tail(service) += "s1\n";
    CHECK(service->queued == 0);  // not yet: the producer is still writing there
    // Another producer's line in between: what the tail held is charged first, and the tail opens again after it.
    writer.append("log\n", log);
    CHECK(service->queued == 3);
    CHECK(log->queued == 4);
    writer.open_tail(service) += "s2\n";
    // A second producer opening the tail closes the first one's.
    auto other = std::make_shared<QueueAccount>();
    writer.open_tail(other) += "o1\n";
    CHECK(service->queued == 6);
    writer.close_tail();
    CHECK(other->queued == 3);
    writer.close_tail();  // closing a closed tail changes nothing
    CHECK(writer.queued() == 13);
    turn(loop);
    CHECK(pipe.drain() == "s1\nlog\ns2\no1\n");
    CHECK(service->queued == 0);
    CHECK(log->queued == 0);
    CHECK(other->queued == 0);
}

TEST_CASE("a tail left open is charged before anything is written") {
    EventLoop loop;
    TestPipe pipe;
    OutputWriter writer(loop, pipe.write.get(), "test output");
    auto log = std::make_shared<QueueAccount>();
    auto service = std::make_shared<QueueAccount>();
    writer.append("log\n", log);  // schedules the write
    writer.open_tail(service) += "s1\n";
    turn(loop);
    CHECK(pipe.drain() == "log\ns1\n");
    CHECK(service->queued == 0);
    CHECK(writer.queued() == 0);
}

TEST_CASE("a quiet writer gives back the room a burst grew; one with bytes waiting keeps them all") {
    EventLoop loop;
    TestPipe pipe;
    REQUIRE(fcntl(pipe.write.get(), F_SETPIPE_SZ, 64 * 1024) >= 0);  // 64K-page kernels make 1 MiB pipes
    OutputWriter writer(loop, pipe.write.get(), "test output");
    auto account = std::make_shared<QueueAccount>();
    std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 4; ++i) writer.append(chunk, account);  // more than the pipe takes at once
    turn(loop);
    REQUIRE(writer.queued() > 0);
    writer.release_idle();  // bytes wait: nothing is given back or lost
    CHECK(writer.held() >= writer.queued());
    std::string received;
    for (int i = 0; i < 1000 && received.size() < 4 * chunk.size(); ++i) {
        received += pipe.drain();
        turn(loop, 1);
    }
    CHECK(received == chunk + chunk + chunk + chunk);
    REQUIRE(writer.queued() == 0);
    CHECK(writer.held() >= 4 * chunk.size());  // kept while busy: the next burst reuses it
    writer.release_idle();
    CHECK(writer.held() < 64);
    writer.append("after\n", account);  // and it still writes
    turn(loop);
    CHECK(pipe.drain() == "after\n");
    CHECK(account->queued == 0);
}

}  // namespace unit_output_writer_test
