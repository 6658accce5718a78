#include "tend/event/loop_clock.hpp"

namespace tend {
namespace {

class LoopTimer final : public Timer {
public:
    LoopTimer(EventLoop& loop, std::function<void()> fire) : loop_(loop), source_(loop.add_timer(std::move(fire))) {}

    void arm(Duration delay) override { loop_.arm(source_.get(), delay); }
    void disarm() override { EventLoop::disarm(source_.get()); }
    // sd-event turns a one-shot source off as it dispatches it: fired is disarmed.
    bool armed() const override { return EventLoop::enabled(source_.get()); }

private:
    EventLoop& loop_;
    EventSource source_;
};

}  // namespace

std::unique_ptr<Timer> LoopClock::timer(std::function<void()> fire) {
    return std::make_unique<LoopTimer>(loop_, std::move(fire));
}

}  // namespace tend
