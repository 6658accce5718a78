#include "tend/process/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tend/util/system_error.hpp"

namespace tend {
namespace {

constexpr std::size_t kMaxDatagram = 4096;  // systemd's own limit for a notify message

}  // namespace

std::map<std::string, std::string> parse_notify_fields(std::string_view datagram) {
    std::map<std::string, std::string> fields;
    while (!datagram.empty()) {
        auto end = datagram.find('\n');
        std::string_view line = datagram.substr(0, end);
        datagram = end == std::string_view::npos ? std::string_view{} : datagram.substr(end + 1);
        auto eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        fields[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
    return fields;
}

NotifySocket::NotifySocket(const std::string& path, const std::optional<Credentials>& owner) : path_(path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        throw errno_error("notify socket path " + path + " is longer than " +
                              std::to_string(sizeof address.sun_path - 1) + " bytes",
                          ENAMETOOLONG);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw errno_error(path + " exists and is not a socket", EEXIST);
        if (unlink(path.c_str()) < 0) throw errno_error("failed to remove stale notify socket " + path);
    }
    fd_.reset(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) throw errno_error("failed to create a notify socket");
    int on = 1;
    if (setsockopt(fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0)
        throw errno_error("failed to set SO_PASSCRED on the notify socket");
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
        throw errno_error("failed to bind notify socket " + path);
    if (owner && chown(path.c_str(), owner->uid, owner->gid) < 0) {
        int err = errno;
        unlink(path.c_str());
        throw errno_error("failed to give notify socket " + path + " to uid " + std::to_string(owner->uid), err);
    }
}

NotifySocket::~NotifySocket() {
    if (fd_) unlink(path_.c_str());
}

std::optional<NotifyMessage> NotifySocket::receive() {
    char data[kMaxDatagram];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::nullopt;
        throw errno_error("failed to read the notify socket " + path_);
    }
    NotifyMessage message;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(ucred))) {
            ucred cred{};
            std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
            message.sender = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            // A sender may attach fds (FDSTORE); tend keeps none: close them.
            auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (fd >= 0) close(fd);
            }
        }
    }
    // An oversized datagram is cut to what fits; its fields are read as far as they go.
    std::size_t size = std::min<std::size_t>(static_cast<std::size_t>(n), sizeof data);
    message.fields = parse_notify_fields(std::string_view(data, size));
    return message;
}

}  // namespace tend
