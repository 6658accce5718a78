// Time as the supervisor sees it: what time it is, and one-shot timers that
// can be armed and disarmed. The real clock is sd-event's (LoopClock); tests
// substitute one they move forward by hand, so a timeout costs no waiting.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "tend/util/duration.hpp"

namespace tend {

// Armed, it calls back once after its delay and is disarmed again; arming it
// while armed moves its deadline. Destroying it disarms it for good.
class Timer {
public:
    virtual ~Timer() = default;
    virtual void arm(Duration delay) = 0;
    virtual void disarm() = 0;
    virtual bool armed() const = 0;
};

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point now() = 0;
    // Created disarmed. `fire` runs from the loop, never inside arm().
    virtual std::unique_ptr<Timer> timer(std::function<void()> fire) = 0;
};

}  // namespace tend
