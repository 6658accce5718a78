#include "tend/event/stream_connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace tend {
namespace {

std::string too_long(const StreamLimits& limits) {
    return "request too large (over " + std::to_string(limits.max_line_bytes / 1024) + " KiB)";
}

}  // namespace

StreamConnection::StreamConnection(EventLoop& loop, UniqueFd fd, std::uint64_t id, std::string label,
                                   StreamLimits limits, Hooks hooks)
    : loop_(loop), fd_(std::move(fd)), id_(id), label_(std::move(label)), limits_(limits), hooks_(std::move(hooks)) {
    io_ = loop_.add_io(fd_.get(), EPOLLIN, [this](uint32_t events) { on_io(events); });
    idle_ = loop_.add_timer([this] {
        spdlog::debug("Closing idle {}", label_);
        close();
    });
    resume_ = loop_.add_timer([this] { resume(); });
    loop_.arm(idle_.get(), limits_.idle_timeout);
}

StreamConnection::~StreamConnection() = default;

bool StreamConnection::idle() const {
    return state_ == StreamState::reading && !streaming_ && in_.empty() && out_.empty();
}

void StreamConnection::stream() {
    streaming_ = true;
    EventLoop::disarm(idle_.get());
}

void StreamConnection::on_io(uint32_t events) {
    if (events & EPOLLOUT) flush();
    if (state_ == StreamState::closed) return;
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && state_ != StreamState::closing) {
        if (!read_input()) return;
        if (!streaming_) loop_.arm(idle_.get(), limits_.idle_timeout);
        hand_over_lines();
        if (state_ == StreamState::closed) return;
        settle();
    }
    flush();
}

bool StreamConnection::read_input() {
    char buffer[16384];
    std::size_t budget = limits_.bytes_per_turn;  // the rest waits in the kernel for the next turn
    while (budget > 0) {
        ssize_t n = ::read(fd_.get(), buffer, std::min(sizeof buffer, budget));
        if (n > 0) {
            budget -= static_cast<std::size_t>(n);
            in_.append(buffer, static_cast<std::size_t>(n));
            if (refuse_if_overlong()) return true;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n < 0) {
            spdlog::debug("Closing {}: failed to read: {}", label_, std::strerror(errno));
            close();  // the peer is gone
            return false;
        }
        // EOF: the peer may only have shut down its sending side (as `socat`
        // does); what it sent is answered, then the connection closes.
        input_ended_ = true;
        return true;
    }
    return true;
}

bool StreamConnection::refuse_if_overlong() {
    // +1: a line of the longest length may still be waiting for the "\n" of its "\r\n".
    if (in_.size() > limits_.max_line_bytes + 1 && in_.find('\n') == std::string::npos) {
        refuse(too_long(limits_));
        return true;
    }
    // Lines queue behind one whose reply is pending (start, stop, wait): bound the queue too.
    if (in_.size() > limits_.max_pending_input) {
        spdlog::warn("Dropping {}: over {} bytes of requests waiting", label_, limits_.max_pending_input);
        refuse("too many requests waiting; closing");
        return true;
    }
    return false;
}

void StreamConnection::refuse(const std::string& message) {
    out_ += hooks_.frame_error(message);
    state_ = StreamState::closing;
    in_.clear();
}

void StreamConnection::hand_over_lines() {
    // A reply given during on_line lands in reply() while this loop runs; the
    // loop takes the next line itself instead of reply() recursing per line.
    if (handing_over_) return;
    handing_over_ = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{handing_over_};
    std::size_t budget = limits_.lines_per_turn;
    while (state_ == StreamState::reading && out_.size() <= limits_.max_output_bytes) {
        auto newline = in_.find('\n');
        if (newline == std::string::npos) break;
        // One peer's pipelined burst gets a share of this turn; the rest waits for the next.
        if (budget-- == 0) {
            if (!EventLoop::enabled(resume_.get())) loop_.arm(resume_.get(), Duration{0});
            break;
        }
        std::string line = in_.substr(0, newline);
        in_.erase(0, newline + 1);
        take_line(std::move(line));
    }
    if (state_ != StreamState::closed && out_.size() > limits_.max_output_bytes) {
        // Its replies piled up past the limit while it kept sending: it is not reading.
        spdlog::warn("Dropping {}: it stopped reading", label_);
        close();
    }
}

void StreamConnection::take_line(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return;
    if (line.size() > limits_.max_line_bytes) {  // answered, then closed
        refuse(too_long(limits_));
        return;
    }
    state_ = StreamState::handling;
    hooks_.on_line(*this, std::move(line));
}

void StreamConnection::resume() {
    hand_over_lines();
    if (state_ == StreamState::closed) return;
    settle();
    flush();
}

void StreamConnection::reply(std::string_view bytes) {
    if (state_ == StreamState::closed) return;
    if (state_ == StreamState::handling) state_ = StreamState::reading;
    out_ += bytes;
    if (handing_over_) return;  // the loop in hand_over_lines() carries on
    resume();
}

void StreamConnection::settle() {
    // The peer sent everything it will: once nothing is pending, finish.
    if (input_ended_ && state_ == StreamState::reading && !EventLoop::enabled(resume_.get()))
        state_ = StreamState::closing;
}

void StreamConnection::flush() {
    std::size_t budget = limits_.bytes_per_turn;
    while (!out_.empty() && budget > 0) {
        // MSG_NOSIGNAL: a peer gone mid-reply is EPIPE here, never SIGPIPE.
        ssize_t n = ::send(fd_.get(), out_.data(), std::min(out_.size(), budget), MSG_NOSIGNAL);
        if (n > 0) {
            out_.erase(0, static_cast<std::size_t>(n));
            budget -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        spdlog::debug("Closing {}: failed to write: {}", label_, std::strerror(errno));
        close();  // EPIPE and friends: the peer is gone
        return;
    }
    if (out_.size() > limits_.max_output_bytes) {
        spdlog::warn("Dropping {}: it stopped reading", label_);
        close();
        return;
    }
    if (out_.empty() && state_ == StreamState::closing) {
        close();
        return;
    }
    // After EOF, EPOLLIN would fire forever: only ask for writability then.
    bool want_input = !input_ended_ && state_ != StreamState::closing;
    uint32_t want = (want_input ? static_cast<uint32_t>(EPOLLIN) : 0u) | (out_.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));
    // epoll reports EPOLLHUP whatever was asked: with nothing to wait for, turn the source off.
    if (want == 0) {
        EventLoop::enable(io_.get(), false);
        return;
    }
    EventLoop::watch_for(io_.get(), want);
    EventLoop::enable(io_.get(), true);
}

void StreamConnection::close() {
    if (state_ == StreamState::closed) return;
    state_ = StreamState::closed;
    // Sources stop now (a disabled io source is out of epoll, so its fd may go
    // at once); the object itself is freed by its owner after this callback.
    EventLoop::enable(io_.get(), false);
    EventLoop::disarm(idle_.get());
    EventLoop::disarm(resume_.get());
    fd_.reset();
    in_.clear();
    out_.clear();
    hooks_.on_closed(*this);
}

}  // namespace tend
