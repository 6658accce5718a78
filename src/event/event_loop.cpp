#include "tend/event/event_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>

#include "tend/util/system_error.hpp"

namespace tend {
namespace {

constexpr Duration kMaxTimerDelay = std::chrono::hours(24 * 365 * 100);

template <typename Fn>
struct Callback {
    Fn fn;
};

template <typename Fn>
void destroy_callback(void* userdata) {
    delete static_cast<Callback<Fn>*>(userdata);
}

// Every callback is a boundary: an exception is logged and the loop lives on.
// Returning a negative value would make sd-event disable the source for good.
template <typename Invoke>
int guarded(Invoke&& invoke) {
    try {
        invoke();
    } catch (const std::exception& e) {
        spdlog::error("Failed to handle event: {}, ignoring", e.what());
    } catch (...) {
        spdlog::error("Failed to handle event: unknown error, ignoring");
    }
    return 0;
}

// Creates a source whose userdata is a heap copy of `fn`, freed by sd-event
// when the source goes: `add(&source, userdata)` calls the sd_event_add_* function.
template <typename Fn, typename Add>
EventSource make_source(Fn fn, const std::string& what, Add&& add) {
    auto* cb = new Callback<Fn>{std::move(fn)};
    sd_event_source* source = nullptr;
    if (int r = add(&source, cb); r < 0) {
        delete cb;
        throw errno_error(what, -r);
    }
    sd_event_source_set_destroy_callback(source, destroy_callback<Fn>);
    return EventSource(source);
}

template <typename Fn>
Fn& callback_of(void* userdata) {
    return static_cast<Callback<Fn>*>(userdata)->fn;
}

void check(int r, const char* what) {
    if (r < 0) throw errno_error(what, -r);
}

}  // namespace

EventLoop::EventLoop() { check(sd_event_new(&event_), "Failed to create event loop"); }

EventLoop::~EventLoop() { sd_event_unref(event_); }

EventSource EventLoop::add_signal(int sig, std::function<void(const signalfd_siginfo&)> callback) {
    using Fn = std::function<void(const signalfd_siginfo&)>;
    return make_source(std::move(callback), "Failed to watch signal " + std::to_string(sig), [&](auto** s, void* ud) {
        return sd_event_add_signal(event_, s, sig,
            [](sd_event_source*, const signalfd_siginfo* info, void* userdata) {
                return guarded([&] { callback_of<Fn>(userdata)(*info); });
            }, ud);
    });
}

EventSource EventLoop::add_timer(std::function<void()> callback) {
    using Fn = std::function<void()>;
    // Accuracy 1ms: the default (250ms) would let sd-event coalesce backoff and
    // stop timeouts far later than configured.
    auto source = make_source(std::move(callback), "Failed to create timer", [&](auto** s, void* ud) {
        return sd_event_add_time(event_, s, CLOCK_MONOTONIC, UINT64_MAX, 1000,
            [](sd_event_source*, uint64_t, void* userdata) { return guarded([&] { callback_of<Fn>(userdata)(); }); },
            ud);
    });
    sd_event_source_set_enabled(source.get(), SD_EVENT_OFF);
    return source;
}

EventSource EventLoop::add_io(int fd, uint32_t events, std::function<void(uint32_t)> callback) {
    using Fn = std::function<void(uint32_t)>;
    return make_source(std::move(callback), "Failed to watch fd " + std::to_string(fd), [&](auto** s, void* ud) {
        return sd_event_add_io(event_, s, fd, events,
            [](sd_event_source*, int, uint32_t revents, void* userdata) {
                return guarded([&] { callback_of<Fn>(userdata)(revents); });
            }, ud);
    });
}

namespace {

// A source whose callback takes nothing (sd-event's defer and post kinds), created off.
using AddPlain = int (*)(sd_event*, sd_event_source**, sd_event_handler_t, void*);

EventSource plain_source(sd_event* event, AddPlain add, std::function<void()> callback, const char* what) {
    using Fn = std::function<void()>;
    auto source = make_source(std::move(callback), what, [&](auto** s, void* ud) {
        return add(event, s,
            [](sd_event_source*, void* userdata) { return guarded([&] { callback_of<Fn>(userdata)(); }); }, ud);
    });
    sd_event_source_set_enabled(source.get(), SD_EVENT_OFF);
    return source;
}

}  // namespace

EventSource EventLoop::add_post(std::function<void()> callback) {
    return plain_source(event_, sd_event_add_defer, std::move(callback), "Failed to create deferred event");
}

EventSource EventLoop::add_after_events(std::function<void()> callback) {
    return plain_source(event_, sd_event_add_post, std::move(callback), "Failed to create an after-events source");
}

std::uint64_t EventLoop::iteration() const {
    std::uint64_t count = 0;
    sd_event_get_iteration(event_, &count);
    return count;
}

void EventLoop::arm(sd_event_source* timer, Duration delay) {
    // The real clock, not sd_event_now()'s cached start of this iteration: work done
    // earlier in the iteration must not shorten the delay.
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
    // Saturated: a sum of long timeouts must not wrap around into "now".
    Duration bounded = std::clamp(delay, Duration(0), kMaxTimerDelay);
    uint64_t usec = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(bounded).count());
    check(sd_event_source_set_time(timer, now + usec), "Failed to set timer");
    check(sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT), "Failed to enable timer");
}

void EventLoop::disarm(sd_event_source* timer) {
    if (timer) sd_event_source_set_enabled(timer, SD_EVENT_OFF);
}

void EventLoop::schedule(sd_event_source* post) {
    if (post) sd_event_source_set_enabled(post, SD_EVENT_ONESHOT);
}

int EventLoop::enable(sd_event_source* source, bool on) {
    if (!source) return 0;
    int r = sd_event_source_set_enabled(source, on ? SD_EVENT_ON : SD_EVENT_OFF);
    return r < 0 ? -r : 0;
}

bool EventLoop::enabled(sd_event_source* source) {
    int state = SD_EVENT_OFF;
    if (source) sd_event_source_get_enabled(source, &state);
    return state != SD_EVENT_OFF;
}

void EventLoop::watch_for(sd_event_source* io, uint32_t events) {
    if (io) check(sd_event_source_set_io_events(io, events), "Failed to change watched events");
}

int EventLoop::run() {
    int r = sd_event_loop(event_);
    if (r < 0) throw errno_error("Event loop failed", -r);
    return r;
}

void EventLoop::exit(int code) { sd_event_exit(event_, code); }

void EventLoop::run_once(Duration max_wait) {
    if (sd_event_get_state(event_) == SD_EVENT_FINISHED) return;
    auto usec = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(max_wait).count());
    int r = sd_event_run(event_, usec);
    if (r < 0) throw errno_error("Event loop failed", -r);
}

std::optional<int> EventLoop::finished_with() const {
    if (sd_event_get_state(event_) != SD_EVENT_FINISHED) return std::nullopt;
    int code = 0;
    if (sd_event_get_exit_code(event_, &code) < 0) return std::nullopt;
    return code;
}

}  // namespace tend
