// The control socket: the JSON protocol (control-protocol.md) over a
// ConnectionServer, which does the listening, admission and buffering; this
// adds who may connect (root, tend's uid, control_group), the socket's place
// (moved by a reload) and the command table.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "tend/config/config.hpp"
#include "tend/control/admission.hpp"
#include "tend/control/command_handler.hpp"
#include "tend/control/connection_server.hpp"
#include "tend/control/socket_listener.hpp"
#include "tend/event/event_loop.hpp"

namespace tend {


class ControlServer {
public:
    // Binds the socket; throws std::runtime_error naming the path on failure,
    // including when a live tend already serves it.
    // `operations` outlives the server.
    ControlServer(EventLoop& loop, Operations& operations, const Settings& settings, ControlLimits limits = {});
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    std::size_t clients() const { return connections_.size(); }
    const std::string& path() const { return path_; }

    // A reload changed control_socket or control_group. Returns a warning, or ""
    // when the socket now serves at the new place.
    std::string rebind(const Settings& settings);

private:
    bool peer_allowed(const Peer& peer) const;
    void on_line(std::uint64_t id, const std::string& line);

    CommandHandler handler_;
    std::string path_;
    std::optional<gid_t> group_;
    ConnectionServer connections_;  // after handler_, which its hooks call
    Subscription settings_subscription_;
};

}  // namespace tend
