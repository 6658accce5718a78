#include "tend/event/io_group.hpp"

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tend/util/system_error.hpp"

namespace tend {

IoGroup::IoGroup(EventLoop& loop) : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_) throw errno_error("Failed to create an epoll for a group of watched fds");
    source_ = loop.add_io(epoll_.get(), EPOLLIN, [this](std::uint32_t) { dispatch(); });
}

IoGroup::~IoGroup() = default;

IoGroup::Watch IoGroup::watch(int fd, std::function<void(std::uint32_t)> callback) {
    Watch made;
    made.entry_ = std::make_unique<Entry>(Entry{this, fd, false, std::move(callback)});
    return made;
}

void IoGroup::dispatch() {
    int n;
    do n = epoll_wait(epoll_.get(), ready_, kBatch, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        spdlog::error("Failed to read which fds of a group are ready: {}", std::strerror(errno));
        return;
    }
    ready_count_ = n;
    for (int i = 0; i < ready_count_; ++i) {
        auto* entry = static_cast<Entry*>(ready_[i].data.ptr);
        if (!entry) continue;  // its watch went in an earlier callback of this batch
        const int fd = entry->fd;
        dispatching_ = entry;
        // Each fd's callback is its own boundary, as each source's is in EventLoop.
        try {
            entry->callback(ready_[i].events);
        } catch (const std::exception& e) {
            spdlog::error("Failed to handle event on fd {}: {}, ignoring", fd, e.what());
        } catch (...) {
            spdlog::error("Failed to handle event on fd {}: unknown error, ignoring", fd);
        }
        dispatching_ = nullptr;
        doomed_.reset();  // a watch destroyed by its own callback is freed once that returns
    }
    ready_count_ = 0;
}

void IoGroup::forget(const Entry* entry) {
    for (int i = 0; i < ready_count_; ++i)
        if (ready_[i].data.ptr == entry) ready_[i].data.ptr = nullptr;
}

IoGroup::Watch::~Watch() {
    if (!entry_) return;
    enable(false);  // struck from the batch too, if it was in it
    IoGroup& group = *entry_->group;
    if (group.dispatching_ == entry_.get()) group.doomed_ = std::move(entry_);
}

IoGroup::Watch& IoGroup::Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        Watch gone(std::move(*this));
        entry_ = std::move(other.entry_);
    }
    return *this;
}

int IoGroup::Watch::enable(bool on) {
    if (!entry_ || entry_->on == on) return 0;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = entry_.get();
    // A removal that fails finds the fd out of the epoll already (closed first): what off means.
    if (epoll_ctl(entry_->group->epoll_.get(), on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, entry_->fd, &event) < 0 && on)
        return errno;
    entry_->on = on;
    if (!on) entry_->group->forget(entry_.get());  // turned off mid-batch: no call after it
    return 0;
}

bool IoGroup::Watch::enabled() const { return entry_ && entry_->on; }

}  // namespace tend
