#include <doctest/doctest.h>

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "tend/event/io_group.hpp"
#include "loop_turns.hpp"
#include "test_pipe.hpp"

namespace unit_io_group_test {

using namespace tend;
using tend::testing::TestPipe;
using tend::testing::turn;

namespace {

void put(TestPipe& pipe, const std::string& text) {
    REQUIRE(write(pipe.write.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

}  // namespace

TEST_CASE("a watch is called while its fd has something to read, and only while it is on") {
    EventLoop loop;
    IoGroup group(loop);
    TestPipe pipe;
    std::string got;
    IoGroup::Watch watch = group.watch(pipe.read.get(), [&](std::uint32_t) { got += pipe.drain(); });
    put(pipe, "early");
    turn(loop);
    CHECK(got.empty());  // made off
    CHECK_FALSE(watch.enabled());
    REQUIRE(watch.enable(true) == 0);
    turn(loop);
    CHECK(got == "early");
    REQUIRE(watch.enable(false) == 0);
    put(pipe, " late");
    turn(loop);
    CHECK(got == "early");
    REQUIRE(watch.enable(true) == 0);
    turn(loop);
    CHECK(got == "early late");
}

TEST_CASE("a hung-up fd turned off is not reported again: the loop sleeps") {
    EventLoop loop;
    IoGroup group(loop);
    TestPipe pipe;
    int calls = 0;
    IoGroup::Watch watch;
    watch = group.watch(pipe.read.get(), [&](std::uint32_t) {
        ++calls;
        if (pipe.drain().empty()) watch.enable(false);  // end of file: as ServiceOutput does
    });
    REQUIRE(watch.enable(true) == 0);
    pipe.write.reset();
    turn(loop);
    CHECK(calls == 1);
    std::uint64_t before = loop.iteration();
    CHECK(sd_event_run(loop.get(), 20 * 1000) == 0);  // timed out: nothing woke it
    CHECK(loop.iteration() == before + 1);
    CHECK(calls == 1);
}

TEST_CASE("one turn serves every ready fd of the group, up to a batch, the rest on the next turns") {
    EventLoop loop;
    IoGroup group(loop);
    constexpr int kPipes = IoGroup::kBatch + 36;
    std::vector<std::unique_ptr<TestPipe>> pipes;
    std::vector<IoGroup::Watch> watches;
    std::vector<int> calls(kPipes, 0);
    for (int i = 0; i < kPipes; ++i) {
        pipes.push_back(std::make_unique<TestPipe>());
        TestPipe* pipe = pipes.back().get();
        watches.push_back(group.watch(pipe->read.get(), [&calls, pipe, i](std::uint32_t) {
            ++calls[i];
            pipe->drain();
        }));
        REQUIRE(watches.back().enable(true) == 0);
        put(*pipe, "x");
    }
    sd_event_run(loop.get(), 0);
    int served = 0;
    for (int c : calls) served += c;
    CHECK(served == IoGroup::kBatch);
    turn(loop, 3);
    for (int i = 0; i < kPipes; ++i) CHECK(calls[i] == 1);
}

TEST_CASE("a watch destroyed or turned off by another's callback in the same batch is not called") {
    EventLoop loop;
    IoGroup group(loop);
    TestPipe a, b, c;
    int a_calls = 0, b_calls = 0, c_calls = 0;
    std::unique_ptr<IoGroup::Watch> wa, wb, wc;
    // Whichever runs first removes the other two; each must then not be called.
    auto first = [&](int& mine, TestPipe& pipe) {
        ++mine;
        pipe.drain();
        if (a_calls + b_calls + c_calls == 1) {
            if (&mine != &a_calls) wa.reset();
            if (&mine != &b_calls) wb.reset();
            if (&mine != &c_calls) wc->enable(false);
        }
    };
    wa = std::make_unique<IoGroup::Watch>(group.watch(a.read.get(), [&](std::uint32_t) { first(a_calls, a); }));
    wb = std::make_unique<IoGroup::Watch>(group.watch(b.read.get(), [&](std::uint32_t) { first(b_calls, b); }));
    wc = std::make_unique<IoGroup::Watch>(group.watch(c.read.get(), [&](std::uint32_t) { first(c_calls, c); }));
    for (auto* w : {wa.get(), wb.get(), wc.get()}) REQUIRE(w->enable(true) == 0);
    put(a, "1");
    put(b, "1");
    put(c, "1");
    sd_event_run(loop.get(), 0);  // one batch holds all three
    CHECK(a_calls + b_calls + c_calls == 1);
}

TEST_CASE("a callback that throws is logged; the other fds of its batch are still served") {
    EventLoop loop;
    IoGroup group(loop);
    TestPipe a, b;
    int served = 0;
    auto thrower = [&](TestPipe& pipe) {
        pipe.drain();
        ++served;
        throw std::runtime_error("broken reader");
    };
    IoGroup::Watch wa = group.watch(a.read.get(), [&](std::uint32_t) { thrower(a); });
    IoGroup::Watch wb = group.watch(b.read.get(), [&](std::uint32_t) { thrower(b); });
    REQUIRE(wa.enable(true) == 0);
    REQUIRE(wb.enable(true) == 0);
    put(a, "1");
    put(b, "1");
    sd_event_run(loop.get(), 0);
    CHECK(served == 2);
}

TEST_CASE("a watch of an fd that cannot be watched says why") {
    EventLoop loop;
    IoGroup group(loop);
    IoGroup::Watch watch = group.watch(-1, [](std::uint32_t) {});
    CHECK(watch.enable(true) == EBADF);
    CHECK_FALSE(watch.enabled());
    CHECK(watch.enable(false) == 0);
}

TEST_CASE("a callback may destroy its own watch; the group frees it once the callback returns") {
    EventLoop loop;
    IoGroup group(loop);
    TestPipe a, b;
    int a_calls = 0, b_calls = 0;
    auto wa = std::make_unique<IoGroup::Watch>();
    *wa = group.watch(a.read.get(), [&](std::uint32_t) {
        ++a_calls;
        a.drain();
        wa.reset();  // its own std::function goes while it runs (the sanitizer tree would see a use after free)
        throw std::runtime_error("and then fails");  // the message names the fd, read before the call
    });
    IoGroup::Watch wb = group.watch(b.read.get(), [&](std::uint32_t) {
        ++b_calls;
        b.drain();
    });
    REQUIRE(wa->enable(true) == 0);
    REQUIRE(wb.enable(true) == 0);
    put(a, "1");
    put(b, "1");
    turn(loop);
    CHECK(a_calls == 1);
    CHECK(b_calls == 1);
    put(a, "2");
    turn(loop);
    CHECK(a_calls == 1);
}

}  // namespace unit_io_group_test
