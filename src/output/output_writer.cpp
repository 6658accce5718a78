#include "tend/output/output_writer.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "tend/util/fd_reopen.hpp"

namespace tend {

OutputWriter::OutputWriter(EventLoop& loop, int fd, std::string what, bool report_errors)
    : what_(std::move(what)), report_errors_(report_errors) {
    open_nonblocking(fd);
    post_ = loop.add_post([this] {
        if (!write_some()) EventLoop::enable(writable_.get(), true);
    });
    if (mode_ != Mode::plain) {
        try {
            writable_ = loop.add_io(fd_, EPOLLOUT, [this](uint32_t) { on_writable(); });
            EventLoop::enable(writable_.get(), false);
        } catch (const std::system_error& e) {
            // epoll refuses what never blocks (/dev/null and other plain devices): write as to a file.
            if (e.code().value() != EPERM) throw;
            mode_ = Mode::plain;
        }
    }
}

OutputWriter::~OutputWriter() = default;

// O_NONBLOCK belongs to the open file description, which tend shares with
// every service running with `output: inherit`: setting it on fd 1 would make
// their writes fail with EAGAIN. So tend writes through a description of its own.
void OutputWriter::open_nonblocking(int fd) {
    fd_ = fd;
    struct stat st {};
    if (fstat(fd, &st) < 0) {
        if (report_errors_) spdlog::warn("Failed to inspect fd {}: {}, writing to it as it is", fd, std::strerror(errno));
        return;
    }
    if (S_ISREG(st.st_mode)) return;  // a file: writes do not wait for a reader
    if (S_ISSOCK(st.st_mode)) {
        mode_ = Mode::socket;  // send(MSG_DONTWAIT) never blocks, whatever the description says
        return;
    }
    own_ = reopen_fd(fd, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (own_) {
        fd_ = own_.get();
        mode_ = Mode::nonblocking;
        return;
    }
    // No /proc (a minimal container): wait for POLLOUT, then write at most
    // PIPE_BUF, which a pipe with room takes whole without blocking.
    if (report_errors_)
        spdlog::debug("Failed to reopen fd {} through /proc/self/fd: {}, polling before each write", fd,
                      std::strerror(errno));
    mode_ = Mode::poll_first;
}

ssize_t OutputWriter::write_once(const char* data, std::size_t size) {
    switch (mode_) {
        case Mode::plain:
        case Mode::nonblocking: return write(fd_, data, size);
        case Mode::socket: return send(fd_, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        case Mode::poll_first: {
            pollfd p{fd_, POLLOUT, 0};
            int ready = poll(&p, 1, 0);
            if (ready < 0) return -1;
            if (ready == 0) {
                errno = EAGAIN;
                return -1;
            }
            return write(fd_, data, std::min<std::size_t>(size, PIPE_BUF));
        }
    }
    return -1;
}

void OutputWriter::append(std::string_view bytes, const std::shared_ptr<QueueAccount>& account) {
    close_tail();  // its producer's next open_tail() opens one after these bytes
    if (broken_) {
        lost_ += bytes.size();
        return;
    }
    buffer_.append(bytes);
    charge(bytes.size(), account);
}

std::string& OutputWriter::open_tail(const std::shared_ptr<QueueAccount>& account) {
    if (tail_account_ != account) {
        close_tail();
        tail_account_ = account;
        tail_from_ = buffer_.size();
    }
    return buffer_;
}

void OutputWriter::close_tail() {
    if (!tail_account_) return;
    const std::shared_ptr<QueueAccount> account = std::move(tail_account_);
    tail_account_.reset();
    const std::size_t bytes = buffer_.size() - tail_from_;
    if (broken_) {
        lost_ += bytes;
        buffer_.resize(tail_from_);
        return;
    }
    charge(bytes, account);
}

void OutputWriter::charge(std::size_t bytes, const std::shared_ptr<QueueAccount>& account) {
    if (bytes == 0) return;
    account->queued += bytes;
    if (!segments_.empty() && segments_.back().account == account) segments_.back().bytes += bytes;
    else segments_.push_back({account, bytes});
    schedule();
}

void OutputWriter::notify_when_low(const std::shared_ptr<QueueAccount>& account) {
    if (account->queued <= kLowMark) {
        if (account->on_low) account->on_low();
        return;
    }
    account->waiting_for_low = true;
}

void OutputWriter::schedule() {
    if (!EventLoop::enabled(writable_.get())) EventLoop::schedule(post_.get());
}

void OutputWriter::on_writable() {
    if (write_some()) EventLoop::enable(writable_.get(), false);
}

bool OutputWriter::write_some() {
    close_tail();  // every byte written is charged first
    while (queued() > 0) {
        ssize_t n = write_once(buffer_.data() + head_, queued());
        if (n > 0) {
            consumed(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        // EPIPE and the like: nobody will ever read these bytes. Say so once, then count them.
        if (report_errors_)
            spdlog::error("Failed to write {}: {}; dropping it from now on", what_, n < 0 ? std::strerror(errno) : "wrote nothing");
        broken_ = true;
        lost_ += queued();
        consumed(queued());
    }
    return true;
}

void OutputWriter::consumed(std::size_t bytes) {
    head_ += bytes;
    while (bytes > 0 && !segments_.empty()) {
        Segment& front = segments_.front();
        std::size_t taken = std::min(bytes, front.bytes);
        front.bytes -= taken;
        bytes -= taken;
        QueueAccount& account = *front.account;
        account.queued -= taken;
        if (front.bytes == 0) segments_.pop_front();
        if (account.waiting_for_low && account.queued <= kLowMark) {
            account.waiting_for_low = false;
            if (account.on_low) account.on_low();
        }
    }
    if (head_ == buffer_.size()) {
        buffer_.clear();
        head_ = 0;
    } else if (head_ > (1u << 20) && head_ > buffer_.size() / 2) {
        buffer_.erase(0, head_);
        head_ = 0;
    }
}

void OutputWriter::release_idle() {
    if (queued() > 0 || tail_account_) return;
    std::string().swap(buffer_);
    head_ = 0;
    segments_.shrink_to_fit();
}

bool OutputWriter::flush_until(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        if (write_some()) return true;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd_, POLLOUT, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    }
    if (report_errors_)
        spdlog::error("Failed to write {} bytes of {} before exiting: the reader did not take them", queued(), what_);
    return false;
}

}  // namespace tend
