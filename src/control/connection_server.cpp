#include "tend/control/connection_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

namespace tend {

ConnectionServer::ConnectionServer(EventLoop& loop, std::string name, ControlLimits limits, Hooks hooks)
    : loop_(loop), name_(std::move(name)), limits_(limits), hooks_(std::move(hooks)) {
    cleanup_ = loop_.add_post([this] { closed_.clear(); });
}

ConnectionServer::~ConnectionServer() {
    accept_source_.reset();
    clients_.clear();
}

void ConnectionServer::listen_on(UniqueFd listener) {
    EventSource source = loop_.add_io(listener.get(), EPOLLIN, [this](uint32_t) { on_accept(); });
    accept_source_ = std::move(source);
    listener_ = std::move(listener);
}

void ConnectionServer::reply(std::uint64_t id, std::string_view bytes) {
    auto it = clients_.find(id);
    if (it != clients_.end()) it->second.connection->reply(bytes);
}

void ConnectionServer::stream(std::uint64_t id) {
    auto it = clients_.find(id);
    if (it != clients_.end()) it->second.connection->stream();
}

void ConnectionServer::on_accept() {
    for (;;) {
        UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                spdlog::warn("Failed to accept a {} connection: {}, ignoring", name_, std::strerror(errno));
            return;
        }
        Peer peer;
        std::string refusal = admit_peer(fd.get(), peer);
        if (!refusal.empty()) {
            spdlog::debug("Refused {} connection from uid {} pid {}", name_, peer.uid, peer.pid);
            // Best effort, and never blocking: the socket is new, its buffer empty.
            (void)!send(fd.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL);
            continue;
        }
        open(std::move(fd), peer.uid);
    }
}

std::string ConnectionServer::admit_peer(int fd, Peer& peer) {
    try {
        peer = peer_of(fd);
    } catch (const std::system_error& e) {
        return hooks_.frame_error(std::string("cannot tell who you are: ") + e.what());
    }
    if (!hooks_.may_connect(peer)) return hooks_.frame_error("permission denied");
    std::size_t of_uid = 0;
    for (const auto& [id, client] : clients_) of_uid += client.uid == peer.uid;
    switch (admit(is_operator(peer), clients_.size(), of_uid, limits_)) {
        case Admission::accept: return "";
        case Admission::accept_evicting: return evict_one_idle() ? "" : hooks_.frame_error("too many clients");
        case Admission::refuse_full: return hooks_.frame_error("too many clients");
        case Admission::refuse_uid:
            return hooks_.frame_error("too many connections from uid " + std::to_string(peer.uid));
    }
    return hooks_.frame_error("too many clients");
}

bool ConnectionServer::evict_one_idle() {
    for (auto& [id, client] : clients_)
        if (client.connection->idle()) {
            spdlog::warn("No free {} connection: closing idle connection {} (uid {}) for the operator", name_, id,
                         client.uid);
            client.connection->close();
            return true;
        }
    return false;
}

void ConnectionServer::open(UniqueFd fd, uid_t uid) {
    std::uint64_t id = next_id_++;
    StreamConnection::Hooks hooks{
        [this](StreamConnection& c, std::string line) { hooks_.on_line(c.id(), std::move(line)); },
        hooks_.frame_error,
        [this](StreamConnection& c) { on_closed(c); },
    };
    auto connection = std::make_unique<StreamConnection>(loop_, std::move(fd), id, name_ + " client " + std::to_string(id),
                                                         limits_.stream, std::move(hooks));
    clients_.emplace(id, Client{uid, std::move(connection)});
}

void ConnectionServer::on_closed(StreamConnection& connection) {
    auto it = clients_.find(connection.id());
    if (it == clients_.end()) return;
    std::uint64_t id = it->first;
    // Freed after the callback that closed it returns: it may be on the stack.
    closed_.push_back(std::move(it->second.connection));
    clients_.erase(it);
    EventLoop::schedule(cleanup_.get());
    hooks_.on_closed(id);
}

}  // namespace tend
