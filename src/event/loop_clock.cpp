#include "tend/event/loop_clock.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "tend/util/unique_fd.hpp"

namespace tend {
namespace {

// Its sd-event source exists only while it is armed: made at arm(), freed as
// it fires. Most of a service's timers are never armed in its life, and the one
// every start arms (min_uptime's) fires once: each source costs some 340 bytes
// in sd-event, and a table of running services would otherwise hold one each.
class LoopTimer final : public Timer {
public:
    LoopTimer(EventLoop& loop, std::function<void()> fire) : loop_(loop), fire_(std::move(fire)) {}

    void arm(Duration delay) override {
        if (!source_) source_ = loop_.add_timer([this] { fired(); });
        loop_.arm(source_.get(), delay);
    }
    void disarm() override {
        if (source_) EventLoop::disarm(source_.get());
    }
    bool armed() const override { return source_ && EventLoop::enabled(source_.get()); }

private:
    // sd-event keeps a source it is dispatching until its callback returns, so
    // freeing it here is safe. `fire_` may destroy this timer (a service
    // removed) and with it `fire_` itself while it runs: a copy runs instead,
    // and nothing of this timer is touched after.
    void fired() {
        source_.reset();
        const std::function<void()> fire = fire_;
        fire();
    }

    EventLoop& loop_;
    std::function<void()> fire_;
    EventSource source_;
};

// Armed at a time that never comes; a set of the clock cancels it (read fails
// with ECANCELED), which is the news, and it is armed again for the next one.
class LoopWallClockWatch final : public WallClockWatch {
public:
    LoopWallClockWatch(EventLoop& loop, std::function<void()> stepped) : stepped_(std::move(stepped)) {
        fd_ = UniqueFd(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
        if (!fd_) throw std::runtime_error(std::string("Failed to create a wall-clock timerfd: ") + std::strerror(errno));
        arm();
        source_ = loop.add_io(fd_.get(), EPOLLIN, [this](uint32_t) { on_readable(); });
    }

private:
    void arm() {
        itimerspec never{};
        never.it_value.tv_sec = time_t{1} << 40;  // some 35,000 years on: never
        if (timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &never, nullptr) < 0)
            spdlog::warn("Failed to watch the wall clock for steps: {}; a step will not re-aim schedules until their next run",
                         std::strerror(errno));
    }
    void on_readable() {
        std::uint64_t expirations = 0;
        if (::read(fd_.get(), &expirations, sizeof expirations) < 0) {
            if (errno == EAGAIN || errno == EINTR) return;  // woken for nothing
            if (errno != ECANCELED) spdlog::warn("Failed to read the wall-clock timerfd: {}", std::strerror(errno));
        }
        arm();  // arming again clears what made it readable
        stepped_();
    }

    std::function<void()> stepped_;
    UniqueFd fd_;
    EventSource source_;
};

}  // namespace

std::unique_ptr<WallClockWatch> LoopClock::watch_wall_clock(std::function<void()> stepped) {
    return std::make_unique<LoopWallClockWatch>(loop_, std::move(stepped));
}

std::unique_ptr<Timer> LoopClock::timer(std::function<void()> fire) {
    return std::make_unique<LoopTimer>(loop_, std::move(fire));
}

}  // namespace tend
