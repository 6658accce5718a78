// The client side of the control protocol: one blocking request and its reply.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

#include "tend/util/unique_fd.hpp"

namespace tend {

struct ConnectError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ControlClient {
public:
    // The longest reply line taken: tend's largest (a status of tens of
    // thousands of services) is a few MiB; what sends more with no line end is
    // not tend, or a broken one, and would otherwise fill this process's memory.
    static constexpr std::size_t kMaxReplyLine = std::size_t{64} << 20;

    // Throws ConnectError with the path and errno text.
    explicit ControlClient(const std::string& socket_path, std::size_t max_reply_line = kMaxReplyLine);

    // Sends {"cmd":cmd,"args":args}; returns the reply object. Throws
    // std::runtime_error when the daemon hangs up, answers garbage, or sends
    // more than max_reply_line bytes without a line end.
    nlohmann::json request(const std::string& cmd, const nlohmann::json& args);
    // The same request; the reply's line as tend sent it, for a reader of its own.
    std::string request_line(const std::string& cmd, const nlohmann::json& args);
    // The next message of a stream (`logs -f`); nullopt when tend closed the connection.
    std::optional<nlohmann::json> next_message();
    // tend's pid as this process sees it: the kernel translates the peer's pid
    // into the reader's PID namespace, and gives 0 where tend is not in it or below it.
    long peer_pid() const;

private:
    std::optional<std::string> next_line();  // without its newline; nullopt when tend closed the connection
    static nlohmann::json parse_message(const char* begin, const char* end);

    UniqueFd fd_;
    std::string socket_path_;  // for messages
    std::size_t max_reply_line_;
    std::string buffer_;
    std::size_t scanned_ = 0;  // bytes of buffer_ known to hold no newline: a long reply is searched once
};

}  // namespace tend
