// A Clock that stands still until the test moves it: advance(d) fires the
// timers that fall due on the way, earliest first (ties in the order they
// were armed), with now() at each one's deadline, and lets the test run the
// loop's deferred work after each. Its wall clock moves with it, from
// `wall_start`, and jumps when the test steps it (step_wall).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <tuple>

#include "tend/event/clock.hpp"

namespace tend {

class FakeClock final : public Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    // Work measured between two looks at now() takes this long (a budget's test).
    std::chrono::steady_clock::duration tick_per_now{};

    TimePoint now() override {
        now_ += tick_per_now;
        return now_;
    }
    // The wall time at steady time zero: a test may set it before anything reads it.
    std::chrono::system_clock::time_point wall_start = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};

    std::chrono::system_clock::time_point wall_now() override {
        return wall_start + wall_step_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(now_ - TimePoint{});
    }
    std::unique_ptr<WallClockWatch> watch_wall_clock(std::function<void()> stepped) override {
        std::uint64_t id = next_id_++;
        watches_[id] = std::move(stepped);
        return std::make_unique<FakeWatch>(*this, id);
    }
    std::size_t wall_watches() const { return watches_.size(); }
    std::size_t armed_timers() const {
        return static_cast<std::size_t>(std::count_if(timers_.begin(), timers_.end(), [](const auto& t) { return t.second.armed; }));
    }

    // The wall clock jumps by `by` (back when negative); the watches hear of it at once.
    void step_wall(std::chrono::system_clock::duration by) {
        wall_step_ += by;
        for (auto& [id, stepped] : std::map(watches_)) stepped();
    }

    std::unique_ptr<Timer> timer(std::function<void()> fire) override {
        std::uint64_t id = next_id_++;
        timers_[id] = Entry{{}, 0, false, std::move(fire)};
        return std::make_unique<FakeTimer>(*this, id);
    }

    // Moves time on by `by`, firing every timer due by then. `settle` (the
    // loop's deferred work, reaping) runs first, for what is due at the
    // current time, and again after each timer, whose work may arm more.
    void advance(Duration by, const std::function<void()>& settle = {}) {
        const TimePoint until = now_ + by;
        if (settle) settle();
        for (int fired = 0;; ++fired) {
            if (fired > 100000) throw std::logic_error("FakeClock: timers keep re-arming at no delay");
            Entry* next = earliest_due(until);
            if (!next) break;
            now_ = std::max(now_, next->due);
            next->armed = false;
            auto fire = next->fire;  // the callback may destroy its own timer
            fire();
            if (settle) settle();
        }
        now_ = std::max(now_, until);
    }

private:
    struct Entry {
        TimePoint due;
        std::uint64_t order;
        bool armed;
        std::function<void()> fire;
    };
    class FakeTimer final : public Timer {
    public:
        FakeTimer(FakeClock& clock, std::uint64_t id) : clock_(clock), id_(id) {}
        ~FakeTimer() override { clock_.timers_.erase(id_); }
        void arm(Duration delay) override {
            Entry& e = clock_.timers_.at(id_);
            e.due = clock_.now_ + std::max(delay, Duration(0));
            e.order = clock_.next_order_++;
            e.armed = true;
        }
        void disarm() override { clock_.timers_.at(id_).armed = false; }
        bool armed() const override { return clock_.timers_.at(id_).armed; }

    private:
        FakeClock& clock_;
        std::uint64_t id_;
    };

    class FakeWatch final : public WallClockWatch {
    public:
        FakeWatch(FakeClock& clock, std::uint64_t id) : clock_(clock), id_(id) {}
        ~FakeWatch() override { clock_.watches_.erase(id_); }

    private:
        FakeClock& clock_;
        std::uint64_t id_;
    };

    Entry* earliest_due(TimePoint until) {
        Entry* best = nullptr;
        for (auto& [id, e] : timers_)
            if (e.armed && e.due <= until &&
                (!best || std::tie(e.due, e.order) < std::tie(best->due, best->order)))
                best = &e;
        return best;
    }

    TimePoint now_{};
    std::uint64_t next_id_ = 1;
    std::uint64_t next_order_ = 1;
    std::map<std::uint64_t, Entry> timers_;
    std::chrono::system_clock::duration wall_step_{};
    std::map<std::uint64_t, std::function<void()>> watches_;
};

}  // namespace tend
