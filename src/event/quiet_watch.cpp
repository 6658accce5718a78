#include "tend/event/quiet_watch.hpp"

#include <utility>

namespace tend {

QuietWatch::QuietWatch(EventLoop& loop, Duration quiet, std::function<bool()> on_quiet)
    : loop_(loop), quiet_(quiet), on_quiet_(std::move(on_quiet)) {
    timer_ = loop_.add_timer([this] { timer_fired(); });
    activity_ = loop_.add_after_events([this] { arm(); });
    arm();  // start-up is a stretch of activity of its own
}

void QuietWatch::arm() {
    armed_at_ = loop_.iteration();
    loop_.arm(timer_.get(), quiet_);
}

void QuietWatch::timer_fired() {
    // The loop runs once per dispatched event: the timer's own run is the one
    // after arming; any more means something else happened meanwhile, so the
    // quiet stretch starts again from now. (sd-event counts an iteration
    // before it waits, so the timer's run is armed_at_ + 1.)
    if (loop_.iteration() > armed_at_ + 1) {
        arm();
        return;
    }
    if (!on_quiet_()) return;
    // sd-event marks after-events sources before it calls the dispatched
    // callback: enabled here, the source waits for the next event, not this one.
    EventLoop::schedule(activity_.get());
}

}  // namespace tend
