// A service's sd_notify socket: an AF_UNIX datagram socket whose path the
// service gets as $NOTIFY_SOCKET, with SO_PASSCRED so each message carries its
// sender's pid. One socket per service, so a message can only be about the
// service it was sent to, even from a short-lived `systemd-notify` whose pid
// is gone before the message is read.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tend/process/credentials.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

// "READY=1\nSTATUS=Accepting connections\n" -> {READY: 1, STATUS: Accepting connections}.
// Lines without '=' are ignored, as systemd does.
std::map<std::string, std::string> parse_notify_fields(std::string_view datagram);

struct NotifyMessage {
    pid_t sender = 0;  // from the kernel's SCM_CREDENTIALS, 0 when absent
    std::map<std::string, std::string> fields;
};

class NotifySocket {
public:
    // Binds at `path` (a stale socket file there is replaced; any other file is
    // an error), non-blocking and close-on-exec, owned by `owner` when given so
    // a service that drops privileges can still send. Throws std::system_error.
    NotifySocket(const std::string& path, const std::optional<Credentials>& owner);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }
    // One pending datagram, or nullopt when none is left.
    std::optional<NotifyMessage> receive();

private:
    std::string path_;
    UniqueFd fd_;
};

}  // namespace tend
