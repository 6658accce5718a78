// The queue in front of tend's stdout. Services' lines are appended and written
// once per loop turn without ever blocking tend: when the reader (a log
// collector) is slow or stuck, bytes wait here, charged to the service that
// produced them, so the capture can stop reading that service's pipe (its
// writes then block) instead of dropping lines or growing without bound.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tend/event/event_loop.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

// What one producer has waiting in the queue; `on_low` runs when it falls to the low mark.
struct QueueAccount {
    std::size_t queued = 0;
    bool waiting_for_low = false;
    std::function<void()> on_low;
};

class OutputWriter {
public:
    static constexpr std::size_t kLowMark = 64 * 1024;

    // Writes to a non-blocking handle on `fd` (see open_nonblocking()). `what`
    // names the stream in messages ("service output to stdout"); a writer that
    // carries tend's own log must not log its failures (report_errors false).
    OutputWriter(EventLoop& loop, int fd, std::string what, bool report_errors = true);
    ~OutputWriter();

    void append(std::string_view bytes, const std::shared_ptr<QueueAccount>& account);
    // For text formatted straight into the queue rather than built elsewhere
    // and copied in (every captured line): open_tail() gives the queue's end
    // to append to, and what is appended there is charged to `account` when
    // the tail is closed: by close_tail(), by another producer's append() or
    // open_tail(), or before any write.
    std::string& open_tail(const std::shared_ptr<QueueAccount>& account);
    void close_tail();
    // Calls account->on_low once the account's queued bytes are at or below kLowMark.
    void notify_when_low(const std::shared_ptr<QueueAccount>& account);
    // At exit: writes what is queued, waiting for the reader until `deadline`. Returns false if bytes were left.
    bool flush_until(std::chrono::steady_clock::time_point deadline);
    // For a quiet tend: when nothing waits, gives back the room a burst grew
    // (500 services' start-up lines: 86 KiB kept for good). Not after every
    // write: a flood would grow the queue again at each turn.
    void release_idle();

    std::size_t queued() const { return buffer_.size() - head_; }
    // Room the queue holds, queued or not (what release_idle() gives back).
    std::size_t held() const { return buffer_.capacity(); }
    // A regular file or a plain device: a write never waits for a reader.
    bool never_blocks() const { return mode_ == Mode::plain; }
    std::size_t lost_bytes() const { return lost_; }

private:
    struct Segment {
        std::shared_ptr<QueueAccount> account;
        std::size_t bytes;
    };

    enum class Mode { plain, nonblocking, socket, poll_first };

    void open_nonblocking(int fd);
    // Writes as much as the reader takes now; returns false on EAGAIN.
    bool write_some();
    ssize_t write_once(const char* data, std::size_t size);
    void consumed(std::size_t bytes);
    void charge(std::size_t bytes, const std::shared_ptr<QueueAccount>& account);
    void schedule();
    void on_writable();

    UniqueFd own_;  // a private open file description, when one could be made
    int fd_ = -1;
    Mode mode_ = Mode::plain;
    std::string buffer_;
    std::size_t head_ = 0;
    std::deque<Segment> segments_;
    std::shared_ptr<QueueAccount> tail_account_;  // set while the tail is open
    std::size_t tail_from_ = 0;                    // where the open tail began in buffer_
    EventSource post_;
    EventSource writable_;
    std::string what_;
    bool report_errors_;
    bool broken_ = false;
    std::size_t lost_ = 0;
};

}  // namespace tend
