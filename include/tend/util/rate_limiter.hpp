// One line, then a count: a warning that a service can provoke at will (a
// notify message from a stranger, a bad message) is logged once per window;
// the rest are counted and reported as one line when the window has passed.
// Pure: the caller brings the time and logs.
#pragma once

#include <chrono>
#include <cstddef>

#include "tend/util/duration.hpp"

namespace tend {

class RateLimiter {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit RateLimiter(Duration window) : window_(window) {}

    // True: log this one now (the first of a window). False: it was counted.
    bool admit(TimePoint now);
    // How many were counted since the last admitted one; the count starts again.
    std::size_t take_suppressed();
    // When the current window ends: the time to report what it suppressed.
    TimePoint window_end() const { return opened_ + window_; }
    Duration window() const { return window_; }

private:
    Duration window_;
    TimePoint opened_{};
    bool open_ = false;
    std::size_t suppressed_ = 0;
};

}  // namespace tend
