// Serves a listening unix stream socket for one protocol: accepts without
// blocking, learns who connected from the kernel (SO_PEERCRED), admits them by
// ControlLimits (the operator is never locked out), and owns the
// StreamConnections it makes. The protocol sees lines and answers them; a
// second listener (another socket, another protocol) is another of these.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tend/control/admission.hpp"
#include "tend/control/socket_listener.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/event/stream_connection.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

class ConnectionServer {
public:
    struct Hooks {
        // Whether this peer may connect at all (before admission counts it).
        std::function<bool(const Peer&)> may_connect;
        // A line from connection `id`; answer with reply(id, ...), now or later.
        std::function<void(std::uint64_t id, std::string line)> on_line;
        // The protocol's framing of an error line (refusals, a line too long).
        std::function<std::string(const std::string& message)> frame_error;
        // Connection `id` closed: replies to it are dropped from now on.
        std::function<void(std::uint64_t id)> on_closed;
    };

    // `name` names connections in tend's log: "<name> client 3".
    ConnectionServer(EventLoop& loop, std::string name, ControlLimits limits, Hooks hooks);
    ~ConnectionServer();
    ConnectionServer(const ConnectionServer&) = delete;
    ConnectionServer& operator=(const ConnectionServer&) = delete;

    // Accepts on `listener` (non-blocking) from now on, instead of any earlier
    // one; connections already made stay.
    void listen_on(UniqueFd listener);
    std::size_t size() const { return clients_.size(); }
    // Bytes for connection `id` (see StreamConnection::reply); nothing if it is gone.
    void reply(std::uint64_t id, std::string_view bytes);
    // Connection `id` now receives messages unasked, so it is never idle.
    void stream(std::uint64_t id);

private:
    struct Client {
        uid_t uid;
        std::unique_ptr<StreamConnection> connection;
    };

    void on_accept();
    // "" when the peer is admitted, else the refusal to send it.
    std::string admit_peer(int fd, Peer& peer);
    // Frees a place for the operator: the connection idle the longest (not
    // waiting on a reply, not following logs). False when there is none.
    bool evict_one_idle();
    void open(UniqueFd fd, uid_t uid);
    void on_closed(StreamConnection& connection);

    EventLoop& loop_;
    std::string name_;
    ControlLimits limits_;
    Hooks hooks_;
    UniqueFd listener_;
    EventSource accept_source_;
    EventSource cleanup_;
    // By id, which grows with each accept: the first idle one is the oldest.
    std::map<std::uint64_t, Client> clients_;
    std::vector<std::unique_ptr<StreamConnection>> closed_;  // freed once the callback that closed them returns
    std::uint64_t next_id_ = 1;
};

}  // namespace tend
