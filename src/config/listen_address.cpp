#include "tend/config/listen_address.hpp"

#include <arpa/inet.h>

#include <optional>

#include "tend/config/config.hpp"
#include "tend/util/port_number.hpp"

namespace tend {
namespace {

constexpr const char* kForm = "must be HOST:PORT with HOST an IP address or localhost (127.0.0.1:9001, [::1]:9001), or unix:/PATH";

std::variant<ListenAddress, std::string> parse_unix(std::string_view path) {
    if (path.empty() || path[0] != '/') return std::string("unix: needs an absolute path (unix:/run/tend-http.sock)");
    if (path.size() > kMaxSocketPath)
        return std::to_string(path.size()) + " bytes is longer than a unix socket path may be (" +
               std::to_string(kMaxSocketPath) + ")";
    ListenAddress address;
    address.kind = ListenAddress::Kind::unix_socket;
    address.path = std::string(path);
    return address;
}

}  // namespace

bool ListenAddress::loopback() const {
    if (kind == Kind::unix_socket) return true;
    if (ipv6) return host == "::1";
    in_addr v4{};
    return inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

std::string ListenAddress::to_string() const {
    if (kind == Kind::unix_socket) return "unix:" + path;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::variant<ListenAddress, std::string> parse_listen_address(std::string_view text) {
    if (text.starts_with("unix:")) return parse_unix(text.substr(5));
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::string(kForm);
    std::string_view host = text.substr(0, colon);
    ListenAddress address;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        address.ipv6 = true;
    }
    address.host = host == "localhost" ? "127.0.0.1" : std::string(host);
    unsigned char buffer[sizeof(in6_addr)];
    if (inet_pton(address.ipv6 ? AF_INET6 : AF_INET, address.host.c_str(), buffer) != 1) return std::string(kForm);
    auto port = parse_port_number(text.substr(colon + 1));
    if (!port) return "the port must be a number from 1 to 65535 (" + std::string(kForm) + ")";
    address.port = *port;
    return address;
}

}  // namespace tend
