#include "tend/process/notify_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tend/util/system_error.hpp"

namespace tend {
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

UniqueFd open_notify_dir(const std::string& path) {
    const std::string what = "the notify socket directory " + path;
    if (mkdir(path.c_str(), 0755) < 0 && errno != EEXIST) throw errno_error("failed to create " + what);
    // O_NOFOLLOW: a link put in its place must not send tend's sockets (and
    // their chown) elsewhere. Everything after goes through this fd.
    UniqueFd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) {
        int err = errno;
        struct stat st {};
        if (err == ELOOP || (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)))
            throw errno_error(what + " is a symbolic link; tend does not follow it (remove it and tend makes the "
                                     "directory itself)",
                              ELOOP);
        if (err == ENOTDIR) throw errno_error(what + " exists and is not a directory", ENOTDIR);
        throw errno_error("failed to open " + what, err);
    }
    struct stat st {};
    if (fstat(dir.get(), &st) < 0) throw errno_error("failed to inspect " + what);
    if (st.st_uid != geteuid())
        throw errno_error(what + " is owned by uid " + std::to_string(st.st_uid) + ", not by tend (uid " +
                              std::to_string(geteuid()) + "); tend refuses it",
                          EPERM);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw errno_error(what + " is writable by others (mode " + mode + "); tend refuses it (make it 0755, or "
                                 "remove it and tend makes it)",
                          EPERM);
    }
    return dir;
}

std::shared_ptr<const UniqueFd> shared_notify_dir(const std::string& path) {
    static std::map<std::string, std::weak_ptr<const UniqueFd>> open_dirs;
    std::erase_if(open_dirs, [](const auto& entry) { return entry.second.expired(); });
    if (auto held = open_dirs[path].lock()) {
        struct stat st {};
        if (fstat(held->get(), &st) == 0 && st.st_nlink > 0) return held;
    }
    auto dir = std::make_shared<const UniqueFd>(open_notify_dir(path));
    open_dirs[path] = dir;
    return dir;
}

NotifySocket::NotifySocket(std::shared_ptr<const UniqueFd> dir, const std::string& dir_path, const std::string& name,
                           const std::optional<Credentials>& owner)
    : path_(dir_path + "/" + name), name_(name), dir_(std::move(dir)) {
    // The service connects to the path itself: it must fit in sun_path.
    if (path_.size() >= sizeof(sockaddr_un{}.sun_path))
        throw errno_error("notify socket path " + path_ + " is longer than " +
                              std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes",
                          ENAMETOOLONG);
    struct stat st {};
    if (fstatat(dir_->get(), name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw errno_error(path_ + " exists and is not a socket", EEXIST);
        if (unlinkat(dir_->get(), name_.c_str(), 0) < 0) throw errno_error("failed to remove stale notify socket " + path_);
    }
    fd_.reset(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) throw errno_error("failed to create a notify socket");
    int on = 1;
    if (setsockopt(fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0)
        throw errno_error("failed to set SO_PASSCRED on the notify socket");
    // bind(2) takes a path, not a directory fd: through /proc/self/fd the
    // directory is the one opened and checked, whatever its path now names.
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::string via = "/proc/self/fd/" + std::to_string(dir_->get()) + "/" + name_;
    if (via.size() >= sizeof address.sun_path || access("/proc/self/fd", X_OK) < 0) via = path_;
    std::memcpy(address.sun_path, via.c_str(), via.size() + 1);
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
        throw errno_error("failed to bind notify socket " + path_);
    if (owner && fchownat(dir_->get(), name_.c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) < 0) {
        int err = errno;
        unlinkat(dir_->get(), name_.c_str(), 0);
        throw errno_error("failed to give notify socket " + path_ + " to uid " + std::to_string(owner->uid), err);
    }
}

NotifySocket::~NotifySocket() {
    if (fd_) unlinkat(dir_->get(), name_.c_str(), 0);
}

std::optional<NotifyMessage> NotifySocket::receive() {
    char data[kMaxNotifyDatagram];
    // Room for a few fds: more than fit are closed by the kernel.
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(8 * sizeof(int))];
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
    message.size = static_cast<std::size_t>(n);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(ucred))) {
            ucred cred{};
            std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
            message.sender = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            // tend stores no fds (FDSTORE), but holds them until the message is
            // handled: `systemd-notify` waits on one (BARRIER=1), so it is
            // still alive, and can be placed, while its message is judged.
            auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (fd >= 0) message.fds.emplace_back(fd);
            }
        }
    }
    // An oversized datagram is cut to what fits; its fields are read as far as they go.
    std::size_t size = std::min<std::size_t>(static_cast<std::size_t>(n), sizeof data);
    message.fields = parse_notify_fields(std::string_view(data, size));
    return message;
}

}  // namespace tend
