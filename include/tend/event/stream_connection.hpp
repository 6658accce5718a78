// One client of a line-based stream socket, served from the event loop so that
// no peer can block or starve it: non-blocking I/O, an input buffer bounded by
// the longest line and by the requests that may wait, an output buffer bounded
// so that a peer which stops reading is dropped, a share of each loop turn, and
// an idle timeout. It knows lines, not what they mean: the protocol above gets
// each line through `on_line` and answers with reply(), now or later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "tend/event/event_loop.hpp"
#include "tend/util/duration.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

struct StreamLimits {
    std::size_t max_line_bytes = 64 * 1024;           // longer: answered with an error, then closed
    std::size_t max_pending_input = 1024 * 1024;      // read but not handled yet (lines behind a pending reply)
    std::size_t max_output_bytes = 4 * 1024 * 1024;   // a peer that stops reading is dropped past this
    std::size_t lines_per_turn = 16;                  // lines handled per loop turn; the rest wait a turn
    std::size_t bytes_per_turn = 256 * 1024;          // read per loop turn, and written per write-out
    Duration idle_timeout = std::chrono::seconds(60);
};

enum class StreamState {
    reading,   // between requests: lines are handed over as they arrive
    handling,  // a line is with the protocol and its reply pending; later lines wait in the buffer
    closing,   // nothing more is read or handed over: the output goes out, then the connection closes
    closed,    // sources off, fd closed; the owner frees the object once its callback has returned
};

class StreamConnection {
public:
    struct Hooks {
        // A line, without its "\n" (or "\r\n"), never empty. The connection is
        // `handling` until reply() is called, during the call or later.
        std::function<void(StreamConnection&, std::string line)> on_line;
        // The protocol's framing of an error the connection reports itself
        // before closing (a line too long, too many lines waiting).
        std::function<std::string(const std::string& message)> frame_error;
        // Called once, when the connection closes for any reason; the owner
        // must not free the object before the current callback returns.
        std::function<void(StreamConnection&)> on_closed;
    };

    // `fd` must be non-blocking. `label` names it in tend's log ("control client 3").
    StreamConnection(EventLoop& loop, UniqueFd fd, std::uint64_t id, std::string label, StreamLimits limits,
                     Hooks hooks);
    ~StreamConnection();
    StreamConnection(const StreamConnection&) = delete;
    StreamConnection& operator=(const StreamConnection&) = delete;

    std::uint64_t id() const { return id_; }
    StreamState state() const { return state_; }
    std::size_t pending_output() const { return out_.size(); }
    // Nothing to lose by closing it: no reply awaited, nothing buffered either way, not streaming.
    bool idle() const;

    // Bytes for the peer: the answer to the line being handled, or (on a
    // streaming connection) a message it did not ask for.
    void reply(std::string_view bytes);
    // From now on the peer receives messages unasked (a log follow): quiet
    // stretches are not idleness.
    void stream();
    void close();

private:
    void on_io(uint32_t events);
    // False when the connection closed (a read error) while reading.
    bool read_input();
    bool refuse_if_overlong();
    void hand_over_lines();
    void take_line(std::string line);
    void resume();
    void settle();
    void flush();
    void refuse(const std::string& message);

    EventLoop& loop_;
    UniqueFd fd_;
    std::uint64_t id_;
    std::string label_;
    StreamLimits limits_;
    Hooks hooks_;
    StreamState state_ = StreamState::reading;
    bool input_ended_ = false;  // the peer shut down its sending side (it may still read)
    bool streaming_ = false;
    bool handing_over_ = false; // inside hand_over_lines(): a reply given now does not recurse
    std::string in_;
    std::string out_;
    EventSource io_;
    EventSource idle_;
    // A timer due at once, not a deferred call: sd-event runs a deferred call
    // before any I/O that became pending after it was first made, so a
    // re-armed one would win every turn and another connection would wait for
    // the whole burst. An elapsed timer queues behind older events.
    EventSource resume_;
};

}  // namespace tend
