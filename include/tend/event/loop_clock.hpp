// The real clock: CLOCK_MONOTONIC, and timers that are sd-event time sources
// on tend's one loop; the wall clock, CLOCK_REALTIME, watched for steps.
#pragma once

#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"

namespace tend {

class LoopClock final : public Clock {
public:
    explicit LoopClock(EventLoop& loop) : loop_(loop) {}

    std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
    std::unique_ptr<Timer> timer(std::function<void()> fire) override;
    std::chrono::system_clock::time_point wall_now() override { return std::chrono::system_clock::now(); }
    // A CLOCK_REALTIME timerfd armed with TFD_TIMER_CANCEL_ON_SET: the kernel
    // wakes it when the clock is set, and at no other time.
    std::unique_ptr<WallClockWatch> watch_wall_clock(std::function<void()> stepped) override;

private:
    EventLoop& loop_;
};

}  // namespace tend
