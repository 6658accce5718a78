#include "tend/control/control_server.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "tend/util/system_error.hpp"

namespace tend {

ControlServer::ControlServer(EventLoop& loop, Supervisor& supervisor, const Settings& settings, ControlLimits limits)
    : loop_(loop), handler_(loop, supervisor), limits_(limits), path_(settings.control_socket) {
    group_ = group_id(settings.control_group);
    listener_ = bind_listener(path_, group_);
    accept_source_ = loop_.add_io(listener_.get(), EPOLLIN, [this](uint32_t) { on_accept(); });
    cleanup_ = loop_.add_post([this] { closed_.clear(); });
    // A timer due at once, not a deferred call: sd-event runs a deferred call
    // before any I/O that became pending after it was first made, so a
    // re-armed one would win every turn and another client's connection would
    // wait for the whole burst. An elapsed timer queues behind older events.
    resume_ = loop_.add_timer([this] { resume_queued(); });
    handler_.set_stream_hook([this](std::uint64_t id) {
        auto it = connections_.find(id);
        if (it == connections_.end()) return;
        it->second->streaming = true;
        EventLoop::enable(it->second->idle.get(), false);
    });
    settings_subscription_ = supervisor.add_settings_listener([this](const Settings& before, const Settings& after) {
        if (before.control_socket == after.control_socket && before.control_group == after.control_group) return std::string();
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
        UniqueFd listener = bind_listener(settings.control_socket, group);
        EventSource source = loop_.add_io(listener.get(), EPOLLIN, [this](uint32_t) { on_accept(); });
        accept_source_ = std::move(source);
        listener_ = std::move(listener);
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

ControlServer::~ControlServer() {
    accept_source_.reset();
    connections_.clear();
    unlink(path_.c_str());
}

bool ControlServer::is_operator(const Peer& peer) const { return peer.uid == 0 || peer.uid == getuid(); }

bool ControlServer::peer_allowed(const Peer& peer) const {
    if (is_operator(peer)) return true;
    if (!group_) return false;
    if (peer.gid == *group_) return true;
    for (gid_t g : peer.groups)
        if (g == *group_) return true;
    return false;
}

bool ControlServer::evict_one_idle() {
    // Connections are kept by id, which grows with each accept: the first idle one is the oldest.
    for (auto& [id, c] : connections_)
        if (!c->busy && !c->streaming && c->out.empty() && c->in.empty()) {
            spdlog::warn("Control connections full: closing idle connection {} (uid {}) for the operator", id, c->uid);
            close(*c);
            return true;
        }
    return false;
}

void ControlServer::on_accept() {
    for (;;) {
        UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                spdlog::warn("Failed to accept a control connection: {}, ignoring", std::strerror(errno));
            return;
        }
        std::string refusal;
        Peer peer;
        try {
            peer = peer_of(fd.get());
        } catch (const std::system_error& e) {
            refusal = encode_error(std::string("cannot tell who you are: ") + e.what());
        }
        if (refusal.empty() && !peer_allowed(peer)) refusal = encode_error("permission denied");
        if (refusal.empty()) {
            std::size_t of_uid = 0;
            for (const auto& [id, c] : connections_) of_uid += c->uid == peer.uid;
            switch (admit(is_operator(peer), connections_.size(), of_uid, limits_)) {
                case Admission::accept: break;
                case Admission::accept_evicting:
                    if (!evict_one_idle()) refusal = encode_error("too many clients");
                    break;
                case Admission::refuse_full: refusal = encode_error("too many clients"); break;
                case Admission::refuse_uid:
                    refusal = encode_error("too many connections from uid " + std::to_string(peer.uid));
                    break;
            }
        }
        if (!refusal.empty()) {
            spdlog::debug("Refused control connection from uid {} pid {}", peer.uid, peer.pid);
            (void)!write(fd.get(), refusal.data(), refusal.size());  // best effort; the socket is new and empty
            continue;
        }
        auto c = std::make_unique<Connection>();
        c->id = next_id_++;
        c->fd = std::move(fd);
        c->uid = peer.uid;
        Connection* raw = c.get();
        c->io = loop_.add_io(raw->fd.get(), EPOLLIN, [this, raw](uint32_t events) { on_io(*raw, events); });
        c->idle = loop_.add_timer([this, raw] {
            spdlog::debug("Closing idle control connection {}", raw->id);
            close(*raw);
        });
        loop_.arm(c->idle.get(), limits_.idle_timeout);
        connections_[c->id] = std::move(c);
    }
}

void ControlServer::on_io(Connection& c, uint32_t events) {
    if (events & EPOLLOUT) flush(c);
    if (!connections_.count(c.id)) return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char buffer[16384];
        for (;;) {
            ssize_t n = read(c.fd.get(), buffer, sizeof buffer);
            if (n > 0) {
                c.in.append(buffer, static_cast<std::size_t>(n));
                if (c.in.size() > kMaxRequestBytes + 1 && c.in.find('\n') == std::string::npos) {
                    c.out += encode_error("request too large (over 64 KiB)");
                    c.closing = true;
                    c.in.clear();
                    break;
                }
                // Requests queue behind one that waits (start, stop, wait): bound the queue too.
                if (c.in.size() > limits_.max_pending_input) {
                    spdlog::warn("Dropping control client {}: over {} bytes of requests waiting", c.id,
                                 limits_.max_pending_input);
                    c.out += encode_error("too many requests waiting; closing");
                    c.closing = true;
                    c.in.clear();
                    break;
                }
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n < 0) {
                close(c);  // a read error: the client is gone
                return;
            }
            // EOF: the client may only have shut down its sending side (as
            // `socat` does); answer what it sent, then close.
            c.peer_done = true;
            break;
        }
        if (!c.streaming) loop_.arm(c.idle.get(), limits_.idle_timeout);
        process_lines(c);
        if (c.peer_done && !c.busy && !c.queued) c.closing = true;
    }
    if (connections_.count(c.id)) flush(c);
}

void ControlServer::process_lines(Connection& c) {
    // Replies given synchronously land in send() while this loop runs; the loop
    // picks up the next line itself instead of send() recursing per line.
    if (c.processing) return;
    c.processing = true;
    std::size_t budget = limits_.requests_per_turn;
    while (!c.busy && !c.closing && c.out.size() <= limits_.max_output_bytes) {
        auto newline = c.in.find('\n');
        if (newline == std::string::npos) break;
        // One client's pipelined burst gets a share of this turn; the rest waits for the next.
        if (budget-- == 0) {
            if (!c.queued) {
                c.queued = true;
                queued_.push_back(c.id);
                loop_.arm(resume_.get(), Duration{0});
            }
            break;
        }
        std::string line = c.in.substr(0, newline);
        c.in.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (line.size() > kMaxRequestBytes) {  // as documented: answered, then closed
            c.out += encode_error("request too large (over 64 KiB)");
            c.closing = true;
            c.in.clear();
            break;
        }
        auto parsed = parse_request(line);
        if (auto* error = std::get_if<std::string>(&parsed)) {
            c.out += encode_error(*error);
            continue;
        }
        c.busy = true;
        std::uint64_t id = c.id;
        handler_.handle(std::get<Request>(parsed), id, [this, id](const std::string& reply) { send(id, reply); });
    }
    c.processing = false;
    if (c.out.size() > limits_.max_output_bytes) {
        // Its replies piled up past the limit while it kept sending: it is not reading.
        spdlog::warn("Dropping control client {}: it stopped reading", c.id);
        close(c);
    }
}

void ControlServer::resume_queued() {
    for (std::uint64_t id : std::exchange(queued_, {})) {
        auto it = connections_.find(id);
        if (it == connections_.end()) continue;
        Connection& c = *it->second;
        c.queued = false;
        process_lines(c);
        if (!connections_.count(id)) continue;
        if (c.peer_done && !c.busy && !c.queued) c.closing = true;
        flush(c);
    }
}

void ControlServer::send(std::uint64_t id, const std::string& line) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& c = *it->second;
    c.busy = false;
    c.out += line;
    if (c.processing) return;  // the loop in process_lines() carries on
    process_lines(c);
    if (!connections_.count(id)) return;
    if (c.peer_done && !c.busy && !c.queued) c.closing = true;
    flush(c);
}

void ControlServer::flush(Connection& c) {
    while (!c.out.empty()) {
        ssize_t n = write(c.fd.get(), c.out.data(), c.out.size());
        if (n > 0) {
            c.out.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        close(c);  // EPIPE and friends: the client is gone
        return;
    }
    if (c.out.size() > limits_.max_output_bytes) {
        spdlog::warn("Dropping control client {}: it stopped reading", c.id);
        close(c);
        return;
    }
    if (c.out.empty() && c.closing) {
        close(c);
        return;
    }
    // After EOF, EPOLLIN would fire forever: only ask for writability then.
    uint32_t want = (c.peer_done ? 0u : static_cast<uint32_t>(EPOLLIN)) | (c.out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));
    // epoll reports EPOLLHUP whatever was asked: with nothing to wait for, turn the source off.
    if (want == 0) {
        EventLoop::enable(c.io.get(), false);
        return;
    }
    EventLoop::watch_for(c.io.get(), want);
    EventLoop::enable(c.io.get(), true);
}

void ControlServer::close(Connection& c) {
    auto it = connections_.find(c.id);
    if (it == connections_.end()) return;
    handler_.forget(c.id);
    // Sources stop now; the object is freed after this callback returns.
    EventLoop::enable(c.io.get(), false);
    EventLoop::enable(c.idle.get(), false);
    closed_.push_back(std::move(it->second));
    connections_.erase(it);
    EventLoop::schedule(cleanup_.get());
}

}  // namespace tend
