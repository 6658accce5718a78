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

// A watch of the wall clock's steps; destroying it ends the watch.
class WallClockWatch {
public:
    virtual ~WallClockWatch() = default;
};

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point now() = 0;
    // Created disarmed. `fire` runs from the loop, never inside arm().
    virtual std::unique_ptr<Timer> timer(std::function<void()> fire) = 0;
    // The wall clock, which schedules are written in. Unlike now() it can
    // jump (an NTP step, `date -s`): timers aimed at a wall time re-aim then.
    virtual std::chrono::system_clock::time_point wall_now() = 0;
    // `stepped` runs from the loop after each step of the wall clock.
    virtual std::unique_ptr<WallClockWatch> watch_wall_clock(std::function<void()> stepped) = 0;
};

}  // namespace tend
