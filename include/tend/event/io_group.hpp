// Many fds read through one epoll of their own, which the loop watches as one
// source. sd-event keeps about 300 bytes for each source it holds, and a
// service's two output pipes were most of a large tend's sources (500
// services: 290 KiB of its heap). A turn of the loop also serves every ready
// fd of the group at once (up to kBatch), where sd-event dispatches one
// source per turn.
//
// Level-triggered, input only: a watch fires while its fd has something to
// read or has hung up, and a watch turned off is out of the epoll altogether
// (a hung-up pipe would otherwise report EPOLLHUP on every turn).
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "tend/event/event_loop.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

class IoGroup {
public:
    static constexpr int kBatch = 64;  // ready fds served per turn; the rest wait for the next one

    // Throws std::system_error when the epoll cannot be made or watched.
    explicit IoGroup(EventLoop& loop);
    ~IoGroup();
    IoGroup(const IoGroup&) = delete;
    IoGroup& operator=(const IoGroup&) = delete;

private:
    struct Entry {
        IoGroup* group;
        int fd;
        bool on;
        std::function<void(std::uint32_t)> callback;
    };

public:
    // One fd of the group, off until turned on; destroying it takes the fd
    // out (before the fd is closed: declare it after the fd it watches).
    class Watch {
    public:
        Watch() = default;
        ~Watch();
        Watch(Watch&&) noexcept = default;
        Watch& operator=(Watch&& other) noexcept;
        // Returns 0, or the errno of a failure (ENOMEM, max_user_watches).
        int enable(bool on);
        bool enabled() const;

    private:
        friend class IoGroup;
        std::unique_ptr<Entry> entry_;
    };

    Watch watch(int fd, std::function<void(std::uint32_t revents)> callback);

private:
    void dispatch();
    void forget(const Entry* entry);

    UniqueFd epoll_;
    EventSource source_;
    // The batch being served: a watch destroyed meanwhile is struck from it.
    epoll_event ready_[kBatch];
    int ready_count_ = 0;
    Entry* dispatching_ = nullptr;   // whose callback runs now
    std::unique_ptr<Entry> doomed_;  // its watch went while it ran: freed after it returns
};

}  // namespace tend
