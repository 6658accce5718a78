// Notices a service that restarts by itself over and over. The count form of
// max_restarts counts failed starts in a row; a service that crashes after
// min_uptime never adds to that count, so a 1 s crash loop goes on for ever
// with nothing said. Told once per service: the hint, not a warning per crash.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

#include "tend/util/duration.hpp"

namespace tend {

class RestartLoop {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    static constexpr std::size_t kRestarts = 5;
    static constexpr Duration kWithin = std::chrono::minutes(1);

    // An automatic restart at `now`. True once: the first time kRestarts of
    // them came within kWithin.
    bool note(TimePoint now);

private:
    std::array<TimePoint, kRestarts> times_{};  // the last kRestarts, as a ring
    std::size_t noted_ = 0;
    bool told_ = false;
};

}  // namespace tend
