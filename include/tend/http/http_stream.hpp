// A reply that goes on for as long as its client reads it (a `/logtail`
// follower, the `/events` stream): its head and first bytes at once, then
// what tend pushes, sent by MHD as the socket takes it. Nothing blocks tend:
// bytes wait in a queue of at most kMaxQueued, and a client that lets more
// pile up (a slow or stalled reader) is dropped, its queue freed at once.
// While the queue is empty the connection is suspended (MHD neither polls
// nor times it out); a watch on its socket notices a client that hangs up
// meanwhile, so a follower of a quiet service does not linger.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tend/event/event_loop.hpp"
#include "tend/util/listener_list.hpp"

struct MHD_Connection;
struct MHD_Response;

namespace tend {

// Queues bytes for the client; does nothing once the client is gone or dropped.
using StreamPush = std::function<void(std::string_view bytes)>;

struct HttpStream {
    unsigned status = 200;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string first;  // sent at once
    // Starts what feeds the stream; the work it returns is dropped when the client goes.
    std::function<Subscription(StreamPush push)> start;
};

class StreamQueue : public std::enable_shared_from_this<StreamQueue> {
public:
    // Per stream: 64 followers stalled at once hold 16 MiB at most.
    static constexpr std::size_t kMaxQueued = 256 * 1024;
    static constexpr std::size_t kSocketBuffer = 128 * 1024;  // SO_SNDBUF: the kernel keeps up to twice this

    // `wake` makes the loop run MHD soon (after a resume).
    StreamQueue(EventLoop& loop, MHD_Connection* connection, int fd, std::string key, std::function<void()> wake,
                std::string first);
    StreamQueue(const StreamQueue&) = delete;
    StreamQueue& operator=(const StreamQueue&) = delete;

    // A chunked response reading from this queue; throws when out of memory.
    MHD_Response* response();
    StreamPush pusher();
    void push(std::string_view bytes);
    // MHD's content reader: queued bytes, or 0 after suspending the connection when none are.
    ssize_t read(char* buffer, std::size_t max);
    bool suspended() const { return suspended_; }
    // The connection is going (closed, or the daemon stops): nothing more is pushed or resumed.
    void detach();
    // The daemon stops: a suspended connection is resumed so that MHD can close it.
    void release();

private:
    void resume();
    void drop(const char* why);

    EventLoop& loop_;
    MHD_Connection* connection_;
    int fd_;
    std::string key_;  // the client, for the log
    std::function<void()> wake_;
    std::string queue_;
    std::size_t sent_ = 0;  // of queue_, already handed to MHD
    bool suspended_ = false;
    bool ended_ = false;  // dropped, or the client hung up: the reader ends the response
    EventSource hangup_;  // while suspended
};

}  // namespace tend
