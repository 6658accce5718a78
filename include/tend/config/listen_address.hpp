// Where the HTTP front listens, as `settings.http.listen` says it: an IP
// address and port ("127.0.0.1:9001", "[::1]:9001", "localhost:9001") or a
// unix socket ("unix:/run/tend-http.sock"). Only a literal address, so that
// `tend check` knows without a resolver whether it is loopback.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace tend {

struct ListenAddress {
    enum class Kind { tcp, unix_socket };
    Kind kind = Kind::tcp;
    std::string host;  // numeric: "127.0.0.1", "::1", "0.0.0.0"
    std::uint16_t port = 0;
    std::string path;  // a unix socket's
    bool ipv6 = false;

    // Reached only from this host: 127.0.0.0/8 or ::1 (a unix socket too).
    bool loopback() const;
    // "127.0.0.1:9001", "[::1]:9001", "unix:/run/tend-http.sock"
    std::string to_string() const;
};

// The address, or why `text` is not one.
std::variant<ListenAddress, std::string> parse_listen_address(std::string_view text);

}  // namespace tend
