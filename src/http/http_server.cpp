#include "tend/http/http_server.hpp"

#include "tend/http/mhd_library.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include <spdlog/spdlog.h>

#include "tend/config/listen_address.hpp"
#include "tend/config/setting_keys.hpp"
#include "tend/control/socket_listener.hpp"
#include "tend/http/stream_routes.hpp"
#include "tend/util/system_error.hpp"

namespace tend {
namespace {

UniqueFd bind_tcp(const ListenAddress& address) {
    sockaddr_storage storage{};
    socklen_t size = 0;
    if (address.ipv6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(address.port);
        inet_pton(AF_INET6, address.host.c_str(), &in6->sin6_addr);
        size = sizeof *in6;
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(address.port);
        inet_pton(AF_INET, address.host.c_str(), &in4->sin_addr);
        size = sizeof *in4;
    }
    UniqueFd fd(socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw errno_error("Failed to create the HTTP listener " + address.to_string());
    int on = 1;
    // A restarted tend binds again at once, past the old connections' TIME_WAIT.
    if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
        throw errno_error("Failed to set SO_REUSEADDR on the HTTP listener");
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), size) < 0)
        throw errno_error("Failed to bind the HTTP listener " + address.to_string());
    if (listen(fd.get(), 128) < 0) throw errno_error("Failed to listen on " + address.to_string());
    return fd;
}

}  // namespace

HttpServer::HttpServer(EventLoop& loop, Operations& operations, const Settings& settings, HttpLimits limits)
    : loop_(loop), operations_(operations), limits_(limits) {
    std::string failed = apply(settings);
    if (!failed.empty()) throw std::runtime_error(failed);
    settings_subscription_ = operations.add_settings_listener([this](const Settings& before, const Settings& after) {
        if (!settings_differ(before, after, SettingEffect::http) && before.control_group == after.control_group)
            return std::string();
        return apply(after);
    });
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::stop() {
    daemon_.reset();
    if (!unix_path_.empty() && unlink(unix_path_.c_str()) < 0 && errno != ENOENT)
        spdlog::warn("Failed to remove the HTTP socket {}: {}", unix_path_, std::strerror(errno));
    unix_path_.clear();
}

std::string HttpServer::apply(const Settings& settings) {
    try {
        std::optional<gid_t> group = group_id(settings.control_group);
        std::optional<HttpCredentials> credentials;
        if (settings.http && !settings.http->user.empty()) credentials = read_credentials(*settings.http);
        bool same_place = settings.http && settings_ && settings.http->listen == settings_->listen && daemon_;
        if (!settings.http) {
            if (daemon_) spdlog::info("HTTP listener at {} closed", settings_->listen);
            stop();
        } else if (!same_place) {
            auto address = std::get<ListenAddress>(parse_listen_address(settings.http->listen));
            bool unix_socket = address.kind == ListenAddress::Kind::unix_socket;
            // Bound before the old one goes, so a failure leaves the old one serving.
            UniqueFd listener = unix_socket ? bind_listener(address.path, group, "HTTP socket") : bind_tcp(address);
            auto daemon = std::make_unique<HttpDaemon>(
                loop_, std::move(listener), unix_socket, limits_, bodies_,
                [this](const Peer& peer) { return peer_allowed(peer); },
                [this](MHD_Connection* c) { return authorized(c); },
                [this](const HttpRequest& request) { return handle(request); });
            stop();
            daemon_ = std::move(daemon);
            if (unix_socket) unix_path_ = address.path;
            spdlog::info("HTTP listener at {}", address.to_string());
        } else if (!unix_path_.empty()) {
            set_socket_access(unix_path_, group);
        }
        settings_ = settings.http;
        credentials_ = std::move(credentials);
        group_ = group;
        return "";
    } catch (const std::exception& e) {
        return std::string(e.what()) + (daemon_ ? "; the HTTP listener stays at " + settings_->listen : "");
    }
}

bool HttpServer::peer_allowed(const Peer& peer) const { return may_use(peer, group_); }

bool HttpServer::authorized(MHD_Connection* connection) {
    operations_.count_request(Front::http);
    if (!credentials_) return true;
    char* password = nullptr;
    char* user = mhd().basic_auth_get_username_password(connection, &password);
    bool ok = user && password && credentials_match(user, password, *credentials_);
    mhd().free(user);
    mhd().free(password);
    if (ok) return true;
    std::string body = "authentication required\n";
    MHD_Response* response = mhd().create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_MUST_COPY);
    if (!response) throw std::runtime_error("out of memory for the reply");
    mhd().queue_basic_auth_fail_response(connection, "tend", response);
    mhd().destroy_response(response);
    return false;
}

HttpAnswer HttpServer::handle(const HttpRequest& request) {
    if (request.path == "/RPC2") {
        if (request.method == "POST") return xmlrpc(request);
        return {HttpReply{405, "text/plain; charset=utf-8", "/RPC2 takes XML-RPC calls: POST\n"}, {}, {}};
    }
    if (request.path == "/" || request.path.starts_with("/action/")) return {status_page(request), {}, {}};
    if (auto streamed = stream_route(operations_, rpc_, request.method, request.path)) return std::move(*streamed);
    return {route(operations_, request.method, request.path), {}, {}};
}

HttpReply HttpServer::status_page(const HttpRequest& request) {
    auto header = [&request](const char* name) {
        const char* value = mhd().lookup_connection_value(request.connection, MHD_HEADER_KIND, name);
        return std::string_view(value ? value : "");
    };
    // A loopback TCP listener without basic auth: a DNS-rebound name must not read the page's token.
    bool local_host_only = !credentials_ && unix_path_.empty();
    if (request.path == "/") {
        if (request.method != "GET" && request.method != "HEAD")
            return {405, "text/plain; charset=utf-8", "/ is the status page: GET\n"};
        if (local_host_only && !local_host(header("Host")))
            return {403, "text/plain; charset=utf-8", "the status page is served here under an IP address or localhost\n"};
        return page_.page();
    }
    if (request.method != "POST") return {405, "text/plain; charset=utf-8", "the status page's actions are POSTs\n"};
    std::string refusal = csrf_refusal({header("X-Tend-Token"), header("Origin"), header("Sec-Fetch-Site"), header("Host")},
                                       page_.token(), local_host_only);
    if (!refusal.empty()) return {403, "text/plain; charset=utf-8", refusal + "\n"};
    return page_.act(request.path.substr(std::string_view("/action/").size()));
}

// An XML-RPC call: answered now, or (a start that waits) when its wait ends.
HttpAnswer HttpServer::xmlrpc(const HttpRequest& request) {
    struct State {
        bool waiting = false;
        std::optional<std::string> now;
    };
    auto state = std::make_shared<State>();
    auto answer_later = request.answer_later;
    Subscription later = rpc_.call(request.body, [state, answer_later](std::string xml) {
        if (state->waiting) answer_later({200, "text/xml", std::move(xml)});
        else state->now = std::move(xml);
    });
    if (state->now) return {HttpReply{200, "text/xml", std::move(*state->now)}, {}, {}};
    state->waiting = true;
    return {std::nullopt, std::move(later), {}};
}

}  // namespace tend
