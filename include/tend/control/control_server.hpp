// The control socket: a unix stream socket served from the event loop with
// non-blocking I/O, per-connection buffers with limits, an idle timeout and a
// SO_PEERCRED check, so no client can block or crash tend.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/control/admission.hpp"
#include "tend/control/command_handler.hpp"
#include "tend/control/socket_listener.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {


class ControlServer {
public:
    // Binds the socket; throws std::runtime_error naming the path on failure,
    // including when a live tend already serves it.
    ControlServer(EventLoop& loop, Supervisor& supervisor, const Settings& settings, ControlLimits limits = {});
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    std::size_t clients() const { return connections_.size(); }
    const std::string& path() const { return path_; }

    // A reload changed control_socket or control_group. Returns a warning, or ""
    // when the socket now serves at the new place.
    std::string rebind(const Settings& settings);

private:
    struct Connection {
        std::uint64_t id;
        UniqueFd fd;
        EventSource io;
        EventSource idle;
        std::string in;
        std::string out;
        bool busy = false;     // a reply is pending; later lines wait
        bool closing = false;  // close once `out` is flushed
        bool peer_done = false;  // the client sent EOF
        bool processing = false; // inside process_lines()
        bool streaming = false;  // following logs: quiet for long stretches, never idle
        uid_t uid = 0;
        bool queued = false;     // has requests left over for the next loop turn
    };

    void on_accept();
    void on_io(Connection& c, uint32_t events);
    void process_lines(Connection& c);
    void send(std::uint64_t id, const std::string& line);
    void flush(Connection& c);
    void close(Connection& c);
    bool peer_allowed(const Peer& peer) const;
    bool is_operator(const Peer& peer) const;
    // Frees a place for the operator: the connection idle the longest (not
    // waiting on a reply, not following logs). False when there is none.
    bool evict_one_idle();
    void resume_queued();

    EventLoop& loop_;
    CommandHandler handler_;
    ControlLimits limits_;
    std::string path_;
    std::optional<gid_t> group_;
    UniqueFd listener_;
    EventSource accept_source_;
    EventSource cleanup_;
    EventSource resume_;  // connections with requests left for the next turn
    std::vector<std::uint64_t> queued_;
    std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::vector<std::unique_ptr<Connection>> closed_;
    std::uint64_t next_id_ = 1;
    Subscription settings_subscription_;
};

}  // namespace tend
