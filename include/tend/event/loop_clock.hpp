// The real clock: CLOCK_MONOTONIC, and timers that are sd-event time sources
// on tend's one loop.
#pragma once

#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"

namespace tend {

class LoopClock final : public Clock {
public:
    explicit LoopClock(EventLoop& loop) : loop_(loop) {}

    std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
    std::unique_ptr<Timer> timer(std::function<void()> fire) override;

private:
    EventLoop& loop_;
};

}  // namespace tend
