// QuietWatch on a real sd-event loop with a quiet of 30 ms: it calls back once
// the loop has had nothing else to do for that long, not while events come,
// not again while nothing happens, and again after the next event.
#include "tend/event/quiet_watch.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "tend/event/event_loop.hpp"

namespace unit_quiet_watch_test {

using namespace tend;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kQuiet = 30ms;

// Turns the loop until `done`, or for at most 500 turns. A turn waits for an
// event, as tend's own loop does: a turn that ends with nothing dispatched
// counts as activity.
template <typename Done>
void turn_until(EventLoop& loop, Done done) {
    for (int i = 0; i < 500 && !done(); ++i) loop.run_once(2s);
}

// Turns the loop once with a wait of 200 ms and says whether it waited all of
// it: nothing, the watch's timer included, woke the loop.
bool nothing_woke(EventLoop& loop) {
    const auto began = Clock::now();
    loop.run_once(200ms);
    return Clock::now() - began >= 190ms;
}

// Three such turns, twenty quiet stretches' worth, none of them woken.
bool stays_asleep(EventLoop& loop) {
    for (int i = 0; i < 3; ++i)
        if (!nothing_woke(loop)) return false;
    return true;
}

// One event of the loop's own, 1 ms from now.
EventSource event_soon(EventLoop& loop) {
    auto event = loop.add_timer([] {});
    loop.arm(event.get(), 1ms);
    return event;
}

}  // namespace

TEST_CASE("a quiet loop is reported once, and again only after another event") {
    EventLoop loop;
    int quiet = 0;
    QuietWatch watch(loop, kQuiet, [&] { return ++quiet, true; });
    turn_until(loop, [&] { return quiet == 1; });
    REQUIRE(quiet == 1);
    CHECK(stays_asleep(loop));
    CHECK(quiet == 1);

    auto event = event_soon(loop);
    turn_until(loop, [&] { return quiet == 2; });
    CHECK(quiet == 2);
}

TEST_CASE("the quiet is never reported sooner than its length after an event") {
    EventLoop loop;
    std::vector<Clock::duration> gaps;  // from the last event to each report
    auto last_event = Clock::now();
    QuietWatch watch(loop, kQuiet, [&] { return gaps.push_back(Clock::now() - last_event), true; });
    int ticks = 0;
    EventSource tick;
    tick = loop.add_timer([&] {
        last_event = Clock::now();
        if (++ticks < 20) loop.arm(tick.get(), 5ms);  // events 5 ms apart for 100 ms, then none
    });
    loop.arm(tick.get(), 0ms);
    turn_until(loop, [&] { return ticks == 20 && !gaps.empty(); });
    REQUIRE(ticks == 20);
    REQUIRE_FALSE(gaps.empty());
    for (auto gap : gaps) CHECK(gap >= kQuiet);
}

TEST_CASE("a callback that returns false is not called again") {
    EventLoop loop;
    int quiet = 0;
    QuietWatch watch(loop, kQuiet, [&] { return ++quiet, false; });
    turn_until(loop, [&] { return quiet == 1; });
    REQUIRE(quiet == 1);
    auto event = event_soon(loop);
    loop.run_once(2s);  // the event
    CHECK(stays_asleep(loop));
    CHECK(quiet == 1);
}

}  // namespace unit_quiet_watch_test
