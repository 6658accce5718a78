#include "tend/util/rate_limiter.hpp"

#include <utility>

namespace tend {

bool RateLimiter::admit(TimePoint now) {
    if (open_ && now < opened_ + window_) {
        ++suppressed_;
        return false;
    }
    open_ = true;
    opened_ = now;
    return true;
}

std::size_t RateLimiter::take_suppressed() { return std::exchange(suppressed_, 0); }

}  // namespace tend
