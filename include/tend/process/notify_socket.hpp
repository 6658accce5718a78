// A service's sd_notify socket: an AF_UNIX datagram socket whose path the
// service gets as $NOTIFY_SOCKET, with SO_PASSCRED so each message carries its
// sender's pid. One socket per service, so a message can only be about the
// service it was sent to, even from a short-lived `systemd-notify` whose pid
// is gone before the message is read.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tend/process/credentials.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

// "READY=1\nSTATUS=Accepting connections\n" -> {READY: 1, STATUS: Accepting connections}.
// Lines without '=' are ignored, as systemd does.
std::map<std::string, std::string> parse_notify_fields(std::string_view datagram);

struct NotifyMessage {
    pid_t sender = 0;  // from the kernel's SCM_CREDENTIALS, 0 when absent
    std::size_t size = 0;  // as sent: more than kMaxNotifyDatagram means it was cut
    std::map<std::string, std::string> fields;
    std::vector<UniqueFd> fds;  // sent with it (a barrier's): closed when the message is dropped
};

inline constexpr std::size_t kMaxNotifyDatagram = 4096;  // systemd's own limit for a notify message

// The directory for the notify sockets at `path`, made (0755) when missing. It
// must be a real directory, not a symlink, owned by tend's uid and writable by
// no one else: throws std::system_error naming it and saying why otherwise.
UniqueFd open_notify_dir(const std::string& path);

// The notify directory at `path`, opened by open_notify_dir once and shared by
// every notify socket in it while any is open. One descriptor for all rather
// than one per socket: every spawn copies tend's descriptor table and the child
// closes it, so each descriptor held costs every start. Opened afresh when the
// one held names a directory since removed.
std::shared_ptr<const UniqueFd> shared_notify_dir(const std::string& path);

class NotifySocket {
public:
    // Binds at `name` in the directory `dir` (opened by open_notify_dir, at
    // `dir_path`; kept for the unlink): a stale socket there is replaced, any
    // other file is an error. Non-blocking and close-on-exec, owned by `owner`
    // when given so a service that drops privileges can still send. No symlink
    // is followed. Throws std::system_error.
    NotifySocket(std::shared_ptr<const UniqueFd> dir, const std::string& dir_path, const std::string& name,
                 const std::optional<Credentials>& owner);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }
    // One pending datagram, or nullopt when none is left.
    std::optional<NotifyMessage> receive();

private:
    std::string path_;
    std::string name_;
    std::shared_ptr<const UniqueFd> dir_;  // where it was bound, for its unlink
    UniqueFd fd_;
};

}  // namespace tend
