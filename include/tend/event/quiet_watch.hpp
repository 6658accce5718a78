// Notices when tend's loop has had nothing to do for a while: once after
// start-up settles, then once after each stretch of activity, never while
// events keep coming and never again while nothing happens. A quiet tend wakes
// for it at most once per stretch, so idle stays idle. Activity is counted in
// turns of the loop; tend's loop turns only for events (a turn that waited
// and timed out, as a test's run_once can, counts as activity too).
#pragma once

#include <cstdint>
#include <functional>

#include "tend/event/event_loop.hpp"
#include "tend/util/duration.hpp"

namespace tend {

class QuietWatch {
public:
    // `on_quiet` runs once no other event was dispatched for `quiet` (within
    // twice that of the last event); it returns false to be called no more.
    QuietWatch(EventLoop& loop, Duration quiet, std::function<bool()> on_quiet);
    QuietWatch(const QuietWatch&) = delete;
    QuietWatch& operator=(const QuietWatch&) = delete;

private:
    void arm();
    void timer_fired();

    EventLoop& loop_;
    Duration quiet_;
    std::function<bool()> on_quiet_;
    EventSource timer_;
    // On (for one run) from a quiet call until the next event: that event arms
    // the timer again. Off while the timer runs, so a busy loop pays nothing.
    EventSource activity_;
    std::uint64_t armed_at_ = 0;  // the loop's iteration when the timer was armed
};

}  // namespace tend
