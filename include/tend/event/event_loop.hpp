// The one sd-event loop tend runs on, with std::function callbacks and
// sources owned by EventSource: destroying the owner disables and frees the
// source, so no callback fires after its owner is gone.
#pragma once

#include <sys/signalfd.h>
#include <systemd/sd-event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "tend/util/duration.hpp"

namespace tend {

struct EventSourceDeleter {
    void operator()(sd_event_source* source) const { sd_event_source_disable_unref(source); }
};
using EventSource = std::unique_ptr<sd_event_source, EventSourceDeleter>;

class EventLoop {
public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // The signal must already be blocked (tend blocks all of them at start-up).
    EventSource add_signal(int sig, std::function<void(const signalfd_siginfo&)> callback);
    // A one-shot CLOCK_MONOTONIC timer, created disarmed; see arm() and disarm().
    EventSource add_timer(std::function<void()> callback);
    EventSource add_io(int fd, uint32_t events, std::function<void(uint32_t revents)> callback);
    // Runs once per loop iteration after other events were dispatched (enabled on demand).
    EventSource add_post(std::function<void()> callback);
    // Runs after any other source of the loop was dispatched, while enabled
    // (created off; EventLoop::schedule() enables it for one run).
    EventSource add_after_events(std::function<void()> callback);

    void arm(sd_event_source* timer, Duration delay);
    static void disarm(sd_event_source* timer);
    // A deferred call (add_post) runs once, at the end of this loop iteration.
    static void schedule(sd_event_source* post);
    // An I/O watch or any source: on (fires again) or off (silent until turned on).
    // Returns 0, or the errno of a failure (turning an I/O watch on adds its fd
    // to epoll again, which can fail: ENOMEM, max_user_watches).
    static int enable(sd_event_source* source, bool on);
    static bool enabled(sd_event_source* source);
    // What an I/O watch waits for (EPOLLIN, EPOLLOUT).
    static void watch_for(sd_event_source* io, uint32_t events);

    int run();  // until exit(); returns its code
    // One iteration, waiting at most `max_wait` for an event (tests step the loop with it).
    void run_once(Duration max_wait);
    // The code given to exit(), once the loop has finished.
    std::optional<int> finished_with() const;
    // How many times the loop has turned (sd_event_prepare): once per
    // dispatched event, and once per wait that timed out or woke for nothing.
    std::uint64_t iteration() const;
    void exit(int code);
    sd_event* get() const { return event_; }

private:
    sd_event* event_ = nullptr;
};

}  // namespace tend
