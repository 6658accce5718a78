// LoopClock's timers on a real sd-event loop: a timer's source exists only
// while it is armed (tend keeps one timer per service and kind, and a table of
// running services would otherwise hold a fired source each), so firing,
// re-arming and a callback that destroys its own timer are what is checked.
#include "tend/event/loop_clock.hpp"

#include <doctest/doctest.h>

#include <memory>

#include "tend/event/event_loop.hpp"

namespace unit_loop_clock_test {

using namespace tend;
using namespace std::chrono_literals;

namespace {

// Turns the loop until `done` or about two seconds have passed.
template <typename Done>
void turn_until(EventLoop& loop, Done done) {
    for (int i = 0; i < 200 && !done(); ++i) loop.run_once(10ms);
}

}  // namespace

TEST_CASE("a loop timer fires once, is disarmed after, and fires again when armed again") {
    EventLoop loop;
    LoopClock clock(loop);
    int fired = 0;
    auto timer = clock.timer([&] { ++fired; });
    CHECK_FALSE(timer->armed());
    timer->arm(1ms);
    CHECK(timer->armed());
    turn_until(loop, [&] { return fired == 1; });
    CHECK(fired == 1);
    CHECK_FALSE(timer->armed());
    loop.run_once(20ms);
    CHECK(fired == 1);  // one shot
    timer->arm(1ms);
    CHECK(timer->armed());
    turn_until(loop, [&] { return fired == 2; });
    CHECK(fired == 2);
    CHECK_FALSE(timer->armed());
}

TEST_CASE("a disarmed loop timer does not fire, and arming it again moves its deadline") {
    EventLoop loop;
    LoopClock clock(loop);
    int fired = 0;
    auto timer = clock.timer([&] { ++fired; });
    timer->arm(1ms);
    timer->disarm();
    CHECK_FALSE(timer->armed());
    loop.run_once(20ms);
    CHECK(fired == 0);
    timer->arm(10s);
    timer->arm(1ms);  // the later arm wins
    turn_until(loop, [&] { return fired == 1; });
    CHECK(fired == 1);
}

TEST_CASE("a loop timer's callback may destroy the timer and arm another") {
    EventLoop loop;
    LoopClock clock(loop);
    std::unique_ptr<Timer> first, second;
    bool second_fired = false;
    first = clock.timer([&] {
        first.reset();  // a service removed by what its timer set off
        second->arm(1ms);
    });
    second = clock.timer([&] { second_fired = true; });
    first->arm(1ms);
    turn_until(loop, [&] { return second_fired; });
    CHECK(first == nullptr);
    CHECK(second_fired);
}

TEST_CASE("a loop timer's callback may arm its own timer again") {
    EventLoop loop;
    LoopClock clock(loop);
    int fired = 0;
    std::unique_ptr<Timer> timer;
    timer = clock.timer([&] {
        if (++fired < 3) timer->arm(1ms);
    });
    timer->arm(1ms);
    turn_until(loop, [&] { return fired == 3; });
    CHECK(fired == 3);
    CHECK_FALSE(timer->armed());
}

}  // namespace unit_loop_clock_test
