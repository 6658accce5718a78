#include "tend/control/control_server.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include <spdlog/spdlog.h>

#include "tend/config/setting_keys.hpp"

namespace tend {
namespace {

ControlLimits with_request_limit(ControlLimits limits) {
    limits.stream.max_line_bytes = kMaxRequestBytes;
    return limits;
}

}  // namespace

ControlServer::ControlServer(EventLoop& loop, Operations& operations, const Settings& settings, ControlLimits limits)
    : handler_(operations),
      path_(settings.control_socket),
      group_(group_id(settings.control_group)),
      connections_(loop, "control", with_request_limit(limits),
                   {[this](const Peer& peer) { return peer_allowed(peer); },
                    [this](std::uint64_t id, std::string line) { on_line(id, line); },
                    [](const std::string& message) { return encode_error(message); },
                    [this](std::uint64_t id) { handler_.forget(id); }}) {
    connections_.listen_on(bind_listener(path_, group_));
    handler_.set_stream_hook([this](std::uint64_t id) { connections_.stream(id); });
    settings_subscription_ = operations.add_settings_listener([this](const Settings& before, const Settings& after) {
        if (!settings_differ(before, after, SettingEffect::control_socket)) return std::string();
        return rebind(after);
    });
}

std::string ControlServer::rebind(const Settings& settings) {
    // The new socket is bound before the old one goes, so a failure leaves the old one serving.
    try {
        std::optional<gid_t> group = group_id(settings.control_group);
        bool same_path = settings.control_socket == path_;
        if (same_path) {
            set_socket_access(path_, group);  // only the group changed: adjust the file in place
            group_ = group;
            return "";
        }
        connections_.listen_on(bind_listener(settings.control_socket, group));
        if (unlink(path_.c_str()) < 0 && errno != ENOENT)
            spdlog::warn("Failed to remove the old control socket {}: {}", path_, std::strerror(errno));
        spdlog::info("Control socket moved from {} to {}", path_, settings.control_socket);
        path_ = settings.control_socket;
        group_ = group;
        return "";
    } catch (const std::exception& e) {
        return std::string(e.what()) + "; the control socket stays at " + path_;
    }
}

ControlServer::~ControlServer() { unlink(path_.c_str()); }

bool ControlServer::peer_allowed(const Peer& peer) const { return may_use(peer, group_); }

void ControlServer::on_line(std::uint64_t id, const std::string& line) {
    auto parsed = parse_request(line);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        connections_.reply(id, encode_error(*error));
        return;
    }
    handler_.handle(std::get<Request>(parsed), id, [this, id](const std::string& reply) { connections_.reply(id, reply); });
}

}  // namespace tend
