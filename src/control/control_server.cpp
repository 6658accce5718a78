#include "tend/control/control_server.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "tend/util/system_error.hpp"

namespace tend {
namespace {

sockaddr_un address_of(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        throw std::runtime_error("control socket path " + path + " is too long (at most " +
                                 std::to_string(sizeof addr.sun_path - 1) + " bytes)");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

// A socket file left by a dead tend refuses connections; a live one accepts.
bool someone_listens(const sockaddr_un& addr) {
    UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe) return false;
    return connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

std::vector<gid_t> supplementary_groups_of(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    std::vector<gid_t> groups;
    while (std::getline(status, line))
        if (line.starts_with("Groups:")) {
            std::istringstream in(line.substr(7));
            gid_t g;
            while (in >> g) groups.push_back(g);
        }
    return groups;
}

std::optional<gid_t> group_id(const std::optional<std::string>& name) {
    if (!name) return std::nullopt;
    std::vector<char> buffer(16384);
    struct group entry {};
    struct group* found = nullptr;
    int r = getgrnam_r(name->c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (r != 0) throw errno_error("control_group: failed to look up group '" + *name + "'", r);
    if (!found) throw std::runtime_error("control_group: no such group '" + *name + "'");
    return entry.gr_gid;
}

// 0660 for the group's members, or 0600 for root alone.
void set_socket_access(const std::string& path, std::optional<gid_t> group) {
    if (group && chown(path.c_str(), 0, *group) < 0) throw errno_error("Failed to give " + path + " to its group");
    if (chmod(path.c_str(), group ? 0660 : 0600) < 0) throw errno_error("Failed to set the mode of " + path);
}

// A listening socket at `path`, never (even briefly) wider than 0600, or 0660 for a group.
UniqueFd bind_listener(const std::string& path, std::optional<gid_t> group) {
    sockaddr_un addr = address_of(path);
    if (someone_listens(addr))
        throw std::runtime_error("control socket " + path + " is served by a running tend; refusing to start a second one");
    if (unlink(path.c_str()) < 0 && errno != ENOENT) throw errno_error("Failed to remove stale socket " + path);

    UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listener) throw errno_error("Failed to create control socket");
    mode_t old = umask(0177);
    int r = bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    umask(old);
    if (r < 0) throw errno_error("Failed to bind control socket " + path, bind_errno);
    if (group) set_socket_access(path, group);
    if (listen(listener.get(), 128) < 0) throw errno_error("Failed to listen on " + path);
    return listener;
}

}  // namespace

ControlServer::ControlServer(EventLoop& loop, Supervisor& supervisor, const Settings& settings, ControlLimits limits)
    : loop_(loop), handler_(loop, supervisor), limits_(limits), path_(settings.control_socket) {
    group_ = group_id(settings.control_group);
    listener_ = bind_listener(path_, group_);
    accept_source_ = loop_.add_io(listener_.get(), EPOLLIN, [this](uint32_t) { on_accept(); });
    cleanup_ = loop_.add_post([this] { closed_.clear(); });
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

bool ControlServer::peer_allowed(int fd, std::string& who) const {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        who = std::string("unknown peer: ") + std::strerror(errno);
        return false;
    }
    who = "uid " + std::to_string(cred.uid) + " pid " + std::to_string(cred.pid);
    if (cred.uid == 0 || cred.uid == getuid()) return true;
    if (!group_) return false;
    if (cred.gid == *group_) return true;
    for (gid_t g : supplementary_groups_of(cred.pid))
        if (g == *group_) return true;
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
        std::string who;
        std::string refusal;
        if (!peer_allowed(fd.get(), who)) refusal = encode_error("permission denied");
        else if (connections_.size() >= limits_.max_clients) refusal = encode_error("too many clients");
        if (!refusal.empty()) {
            spdlog::debug("Refused control connection from {}", who);
            (void)!write(fd.get(), refusal.data(), refusal.size());  // best effort; the socket is new and empty
            continue;
        }
        auto c = std::make_unique<Connection>();
        c->id = next_id_++;
        c->fd = std::move(fd);
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
        if (c.peer_done && !c.busy) c.closing = true;
    }
    if (connections_.count(c.id)) flush(c);
}

void ControlServer::process_lines(Connection& c) {
    // Replies given synchronously land in send() while this loop runs; the loop
    // picks up the next line itself instead of send() recursing per line.
    if (c.processing) return;
    c.processing = true;
    while (!c.busy && !c.closing && c.out.size() <= limits_.max_output_bytes) {
        auto newline = c.in.find('\n');
        if (newline == std::string::npos) break;
        std::string line = c.in.substr(0, newline);
        c.in.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
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

void ControlServer::send(std::uint64_t id, const std::string& line) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& c = *it->second;
    c.busy = false;
    c.out += line;
    if (c.processing) return;  // the loop in process_lines() carries on
    process_lines(c);
    if (!connections_.count(id)) return;
    if (c.peer_done && !c.busy) c.closing = true;
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
