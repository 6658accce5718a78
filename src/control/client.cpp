#include "tend/control/client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tend {

ControlClient::ControlClient(const std::string& socket_path, std::size_t max_reply_line)
    : socket_path_(socket_path), max_reply_line_(max_reply_line) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) throw ConnectError("socket path " + socket_path + " is too long");
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    fd_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd_) throw ConnectError(std::string("cannot create a socket: ") + std::strerror(errno));
    if (connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw ConnectError("cannot connect to " + socket_path + ": " + std::strerror(errno));
}

nlohmann::json ControlClient::request(const std::string& cmd, const nlohmann::json& args) {
    std::string line = request_line(cmd, args);
    return parse_message(line.data(), line.data() + line.size());
}

std::string ControlClient::request_line(const std::string& cmd, const nlohmann::json& args) {
    std::string line = nlohmann::json{{"cmd", cmd}, {"args", args}}.dump() + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
        ssize_t n = send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) break;  // tend may have answered already (a refusal)
        if (n < 0) throw std::runtime_error(std::string("cannot send the request: ") + std::strerror(errno));
        sent += static_cast<std::size_t>(n);
    }
    auto reply = next_line();
    if (!reply) {
        if (sent < line.size()) throw std::runtime_error("tend closed the connection before the request was sent");
        throw std::runtime_error("tend closed the connection without a reply");
    }
    return std::move(*reply);
}

long ControlClient::peer_pid() const {
    ucred peer{};
    socklen_t size = sizeof peer;
    if (getsockopt(fd_.get(), SOL_SOCKET, SO_PEERCRED, &peer, &size) < 0)
        throw std::runtime_error(std::string("cannot read tend's pid from the socket: ") + std::strerror(errno));
    return peer.pid;
}

std::optional<nlohmann::json> ControlClient::next_message() {
    auto line = next_line();
    if (!line) return std::nullopt;
    return parse_message(line->data(), line->data() + line->size());
}

nlohmann::json ControlClient::parse_message(const char* begin, const char* end) {
    auto doc = nlohmann::json::parse(begin, end, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw std::runtime_error("tend sent an invalid reply");
    return doc;
}

std::optional<std::string> ControlClient::next_line() {
    for (;;) {
        auto newline = buffer_.find('\n', scanned_);
        // The line's length so far: up to its line end, or all that came.
        if ((newline != std::string::npos ? newline : buffer_.size()) > max_reply_line_)
            throw std::runtime_error("the reply from " + socket_path_ + " has no line end in its first " +
                                     std::to_string(max_reply_line_) +
                                     " bytes: not tend's control socket, or a broken tend");
        if (newline != std::string::npos) {
            // The buffer itself when it holds just this line (a reply), so a
            // large one is not copied into fresh pages.
            std::string line;
            if (newline + 1 == buffer_.size()) {
                line = std::move(buffer_);
                line.pop_back();
                buffer_.clear();
            } else {
                line.assign(buffer_, 0, newline);
                buffer_.erase(0, newline + 1);
            }
            scanned_ = 0;
            return line;
        }
        scanned_ = buffer_.size();
        char chunk[65536];
        ssize_t n = read(fd_.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("cannot read the reply: ") + std::strerror(errno));
        if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
        if (n == 0) return std::nullopt;
    }
}

}  // namespace tend
