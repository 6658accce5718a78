#include "tend/http/http_stream.hpp"

#include "tend/http/mhd_library.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace tend {
namespace {

// MHD hands at most this much to the reader at a time; under the connection's memory limit.
constexpr std::size_t kBlock = 8 * 1024;

struct StreamCallbacks {
    static ssize_t read(void* cls, std::uint64_t, char* buffer, std::size_t max) {
        return (*static_cast<std::shared_ptr<StreamQueue>*>(cls))->read(buffer, max);
    }
    static void free(void* cls) { delete static_cast<std::shared_ptr<StreamQueue>*>(cls); }
};

}  // namespace

StreamQueue::StreamQueue(EventLoop& loop, MHD_Connection* connection, int fd, std::string key,
                         std::function<void()> wake, std::string first)
    : loop_(loop), connection_(connection), fd_(fd), key_(std::move(key)), wake_(std::move(wake)),
      queue_(std::move(first)) {
    // The kernel's buffer for the socket is memory too (charged to the
    // container's cgroup): left to autotuning it grows to 4 MiB for a
    // client that does not read. Fixed, a stalled follower costs at most
    // kMaxQueued in tend plus this (doubled by the kernel) in the kernel.
    int size = static_cast<int>(kSocketBuffer);
    if (setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) < 0)
        spdlog::debug("Failed to set SO_SNDBUF on the HTTP stream to {}: {}", key_, std::strerror(errno));
}

MHD_Response* StreamQueue::response() {
    auto* self = new std::shared_ptr<StreamQueue>(shared_from_this());
    MHD_Response* response =
        mhd().create_response_from_callback(MHD_SIZE_UNKNOWN, kBlock, &StreamCallbacks::read, self, &StreamCallbacks::free);
    if (!response) {
        delete self;
        throw std::runtime_error("out of memory for the streamed reply");
    }
    return response;
}

StreamPush StreamQueue::pusher() {
    std::weak_ptr<StreamQueue> weak = shared_from_this();
    return [weak](std::string_view bytes) {
        if (auto self = weak.lock()) self->push(bytes);
    };
}

void StreamQueue::push(std::string_view bytes) {
    if (ended_ || !connection_ || bytes.empty()) return;
    if (queue_.size() - sent_ + bytes.size() > kMaxQueued) return drop("it did not read");
    if (sent_ > 0 && sent_ >= queue_.size() / 2) {  // keep the queue from growing by what was sent
        queue_.erase(0, sent_);
        sent_ = 0;
    }
    queue_.append(bytes);
    resume();
}

ssize_t StreamQueue::read(char* buffer, std::size_t max) {
    if (ended_ || !connection_) return MHD_CONTENT_READER_END_WITH_ERROR;
    std::size_t left = queue_.size() - sent_;
    if (left == 0) {
        queue_.clear();
        queue_.shrink_to_fit();  // an idle follower holds no buffer
        sent_ = 0;
        suspended_ = true;
        mhd().suspend_connection(connection_);
        // MHD does not watch a suspended connection: this does, for a hang-up.
        try {
            hangup_ = loop_.add_io(fd_, EPOLLRDHUP, [this](uint32_t) {
                ended_ = true;
                resume();
            });
        } catch (const std::exception& e) {  // the stream lives on, noticed gone at its next line
            spdlog::warn("Failed to watch the HTTP stream to {} for a hang-up: {}", key_, e.what());
        }
        return 0;
    }
    std::size_t n = std::min(left, max);
    std::memcpy(buffer, queue_.data() + sent_, n);
    sent_ += n;
    return static_cast<ssize_t>(n);
}

void StreamQueue::resume() {
    if (!suspended_ || !connection_) return;
    suspended_ = false;
    hangup_.reset();
    mhd().resume_connection(connection_);
    // MHD's own wake-up (its eventfd) does not reach this loop: it runs MHD soon instead.
    wake_();
}

void StreamQueue::drop(const char* why) {
    spdlog::warn("Dropping the HTTP stream to {}: {} and over {} KiB waited for it", key_, why, kMaxQueued / 1024);
    ended_ = true;
    queue_.clear();
    queue_.shrink_to_fit();
    sent_ = 0;
    // A client whose socket is full is not written to again: MHD sees the shut socket at its next turn.
    if (shutdown(fd_, SHUT_RDWR) < 0) spdlog::debug("shutdown of the HTTP stream to {}: {}", key_, std::strerror(errno));
    resume();
}

void StreamQueue::detach() {
    hangup_.reset();
    connection_ = nullptr;
    ended_ = true;
}

void StreamQueue::release() {
    ended_ = true;
    resume();
}

}  // namespace tend
