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
#include "tend/control/command_handler.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

struct ControlLimits {
    std::size_t max_clients = 256;
    std::size_t max_output_bytes = 4 * 1024 * 1024;  // a client that stops reading is dropped past this
    std::size_t max_pending_input = 1024 * 1024;     // requests queued behind a pending one, per client
    Duration idle_timeout = std::chrono::seconds(60);
};

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
    };

    void on_accept();
    void on_io(Connection& c, uint32_t events);
    void process_lines(Connection& c);
    void send(std::uint64_t id, const std::string& line);
    void flush(Connection& c);
    void close(Connection& c);
    bool peer_allowed(int fd, std::string& who) const;

    EventLoop& loop_;
    CommandHandler handler_;
    ControlLimits limits_;
    std::string path_;
    std::optional<gid_t> group_;
    UniqueFd listener_;
    EventSource accept_source_;
    EventSource cleanup_;
    std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::vector<std::unique_ptr<Connection>> closed_;
    std::uint64_t next_id_ = 1;
    Subscription settings_subscription_;
};

}  // namespace tend
