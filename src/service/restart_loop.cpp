#include "tend/service/restart_loop.hpp"

namespace tend {

bool RestartLoop::note(TimePoint now) {
    if (told_) return false;
    const std::size_t slot = noted_ % kRestarts;
    ++noted_;
    times_[slot] = now;
    if (noted_ < kRestarts) return false;
    // The oldest of the last kRestarts is the one after the slot just written.
    const TimePoint oldest = times_[noted_ % kRestarts];
    if (now - oldest > kWithin) return false;
    told_ = true;
    return true;
}

}  // namespace tend
