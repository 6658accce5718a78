// The control socket's file and who may connect to it: binding (never wider
// than 0600, or 0660 for control_group), refusing a path that a live tend
// serves or that is not a socket, and the peer's credentials from the kernel.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tend/util/unique_fd.hpp"

namespace tend {

// The gid of control_group; throws std::runtime_error naming it.
std::optional<gid_t> group_id(const std::optional<std::string>& name);
// 0660 for the group's members, or 0600 for root alone.
void set_socket_access(const std::string& path, std::optional<gid_t> group);
// A listening socket at `path`. A socket file left by a dead tend is replaced;
// a live tend's socket, or any file that is not a socket, is an error.
// `what` names it in errors.
UniqueFd bind_listener(const std::string& path, std::optional<gid_t> group,
                       const std::string& what = "control socket");

struct Peer {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::vector<gid_t> groups;  // supplementary, from SO_PEERGROUPS
};
// The connected peer as the kernel saw it at connect(); throws std::system_error.
Peer peer_of(int fd);
// Root, or tend's own uid: always let in, and never locked out by other users.
bool is_operator(const Peer& peer);
// The operator, or a member of `group` (control_group): who may use tend's sockets.
bool may_use(const Peer& peer, std::optional<gid_t> group);

}  // namespace tend
