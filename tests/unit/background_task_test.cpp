#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "tend/event/background_task.hpp"

using namespace tend;
using namespace std::chrono_literals;

TEST_CASE("background work runs on its own thread while the loop goes on, and ends on the loop") {
    EventLoop loop;
    std::atomic<bool> release{false};
    std::thread::id worker, finisher;
    bool done = false;
    BackgroundTask task(
        loop,
        [&] {
            worker = std::this_thread::get_id();
            while (!release) std::this_thread::yield();
        },
        [&] {
            finisher = std::this_thread::get_id();
            done = true;
        });
    REQUIRE(task.on_own_thread());
    // The loop serves a timer while the work is still held.
    bool ticked = false;
    EventSource timer = loop.add_timer([&] { ticked = true; });
    loop.arm(timer.get(), 0ms);
    for (int i = 0; i < 100 && !ticked; ++i) loop.run_once(10ms);
    CHECK(ticked);
    CHECK_FALSE(done);
    release = true;
    for (int i = 0; i < 500 && !done; ++i) loop.run_once(10ms);
    CHECK(done);
    CHECK(task.finished());
    CHECK(worker != std::this_thread::get_id());
    CHECK(finisher == std::this_thread::get_id());
}

TEST_CASE("what the work throws is kept from the thread's edge and done still comes") {
    EventLoop loop;
    bool done = false;
    BackgroundTask task(loop, [] { throw std::runtime_error("broken"); }, [&] { done = true; });
    for (int i = 0; i < 500 && !done; ++i) loop.run_once(10ms);
    CHECK(done);
}
