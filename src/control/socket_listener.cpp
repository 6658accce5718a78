#include "tend/control/socket_listener.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tend/util/system_error.hpp"

namespace tend {
namespace {

sockaddr_un address_of(const std::string& path, const std::string& what) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        throw std::runtime_error(what + " path " + path + " is too long (at most " +
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

}  // namespace

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

void set_socket_access(const std::string& path, std::optional<gid_t> group) {
    if (group && chown(path.c_str(), 0, *group) < 0) throw errno_error("Failed to give " + path + " to its group");
    if (chmod(path.c_str(), group ? 0660 : 0600) < 0) throw errno_error("Failed to set the mode of " + path);
}

UniqueFd bind_listener(const std::string& path, std::optional<gid_t> group, const std::string& what) {
    sockaddr_un addr = address_of(path, what);
    if (someone_listens(addr))
        throw std::runtime_error(what + " " + path + " is served by a running tend; refusing to start a second one");
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
        throw std::runtime_error(what + " " + path + " exists and is not a socket; refusing to replace it");
    if (unlink(path.c_str()) < 0 && errno != ENOENT) throw errno_error("Failed to remove stale socket " + path);

    UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listener) throw errno_error("Failed to create " + what);
    // Bound under a passing name and renamed into place once it listens: the
    // socket file appears only when a connect() to it succeeds, so a script (or
    // a probe) that waits for the file can use it at once.
    std::string passing = path + ".new";
    struct stat left {};
    const bool taken = lstat(passing.c_str(), &left) == 0 && !S_ISSOCK(left.st_mode);  // not ours to remove
    const bool staged = passing.size() < sizeof addr.sun_path && !taken;
    sockaddr_un bound = staged ? address_of(passing, what) : addr;
    if (staged && unlink(passing.c_str()) < 0 && errno != ENOENT)
        throw errno_error("Failed to remove stale socket " + passing);
    const std::string& bound_path = staged ? passing : path;
    mode_t old = umask(0177);
    int r = bind(listener.get(), reinterpret_cast<const sockaddr*>(&bound), sizeof bound);
    int bind_errno = errno;
    umask(old);
    if (r < 0) throw errno_error("Failed to bind " + what + " " + bound_path, bind_errno);
    try {
        if (group) set_socket_access(bound_path, group);
        if (listen(listener.get(), 128) < 0) throw errno_error("Failed to listen on " + bound_path);
    } catch (...) {
        if (staged) unlink(passing.c_str());
        throw;
    }
    if (staged && rename(passing.c_str(), path.c_str()) < 0) {
        int rename_errno = errno;
        unlink(passing.c_str());
        throw errno_error("Failed to move " + what + " " + passing + " into place", rename_errno);
    }
    return listener;
}


Peer peer_of(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) throw errno_error("SO_PEERCRED");
    Peer peer{cred.uid, cred.gid, cred.pid, {}};
    // The groups the peer had at connect(), from the kernel: /proc/PID/status
    // is another namespace's pid for a client outside tend's, and races pid reuse.
    std::vector<gid_t> groups(32);
    for (;;) {
        socklen_t size = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &size) == 0) {
            groups.resize(size / sizeof(gid_t));
            break;
        }
        if (errno != ERANGE || size <= groups.size() * sizeof(gid_t)) throw errno_error("SO_PEERGROUPS");
        groups.resize(size / sizeof(gid_t));
    }
    peer.groups = std::move(groups);
    return peer;
}

bool is_operator(const Peer& peer) { return peer.uid == 0 || peer.uid == getuid(); }

bool may_use(const Peer& peer, std::optional<gid_t> group) {
    if (is_operator(peer)) return true;
    if (!group) return false;
    if (peer.gid == *group) return true;
    for (gid_t g : peer.groups)
        if (g == *group) return true;
    return false;
}

}  // namespace tend
