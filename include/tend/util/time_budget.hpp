// A share of tend's time that one kind of optional work may take: at most
// `allowance` of every `window`. Work asked for once the window's share is
// spent is refused until the next window, so work driven by what a service
// sends (searching its lines for a pattern) cannot hold the loop however
// much it sends.
#pragma once

#include <chrono>

#include "tend/util/duration.hpp"

namespace tend {

class TimeBudget {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    TimeBudget(Duration window, Duration allowance) : window_(window), allowance_(allowance) {}

    // Whether work may start at `now` (a window that ended gives way to a fresh one).
    bool available(TimePoint now);
    // Work that `available` admitted took this long (measured, so finer than Duration's milliseconds).
    void spend(std::chrono::steady_clock::duration took) { spent_ += took; }

private:
    Duration window_;
    Duration allowance_;
    TimePoint window_start_{};
    std::chrono::steady_clock::duration spent_{0};
};

}  // namespace tend
