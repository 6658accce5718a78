#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "tend/event/background_task.hpp"

namespace unit_background_task_test {

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
    CHECK(BackgroundTask::working() == 1);  // the release of a quiet tend's pages waits for it
    release = true;
    for (int i = 0; i < 500 && !done; ++i) loop.run_once(10ms);
    CHECK(done);
    CHECK(BackgroundTask::working() == 0);  // counted off before the work's end reached the loop
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

TEST_CASE("a task destroyed while its work runs does not wait for it; the work ends on its own") {
    std::atomic<bool> release{false};
    std::atomic<bool> ended{false};
    bool done = false;
    {
        EventLoop loop;
        auto task = std::make_unique<BackgroundTask>(
            loop,
            [&] {
                // Held until released, or (when a destructor waits for it) for 5 s at most.
                auto deadline = std::chrono::steady_clock::now() + 5s;
                while (!release && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
                ended = true;
            },
            [&] { done = true; });
        REQUIRE(task->on_own_thread());
        task.reset();  // tend's exit with a reload's read under way
        CHECK_FALSE(ended);
        CHECK(BackgroundTask::abandoned() == 1);
    }
    release = true;
    for (int i = 0; i < 500 && BackgroundTask::abandoned() > 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(ended);
    CHECK(BackgroundTask::abandoned() == 0);
    CHECK_FALSE(done);  // its task is gone: nothing is called back
}

}  // namespace unit_background_task_test
