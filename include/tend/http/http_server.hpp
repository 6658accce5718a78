// The HTTP front (settings.http): its listener at the configured address, who
// may use it (peer credentials on a unix socket, as the control socket;
// basic auth where user and password_file are given), its pages
// (http_routes.hpp), and its move when a reload changes settings.http.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "tend/config/config.hpp"
#include "tend/http/basic_auth.hpp"
#include "tend/http/http_front.hpp"
#include "tend/http/http_daemon.hpp"
#include "tend/http/status_page.hpp"
#include "tend/http/supervisor_rpc.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {

class HttpServer final : public HttpFront {
public:
    // Listens when settings.http says so; throws std::runtime_error naming
    // the address or password file on failure. `operations` outlives it.
    HttpServer(EventLoop& loop, Operations& operations, const Settings& settings, HttpLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The listener as `settings` has it; "" on success, else a warning (the old one stays).
    std::string apply(const Settings& settings);

private:
    HttpAnswer handle(const HttpRequest& request);
    // Basic auth where credentials are set; a failure queued its 401.
    bool authorized(MHD_Connection* connection);
    HttpAnswer xmlrpc(const HttpRequest& request);
    // `/` and its buttons' POSTs to /action/KIND/NAME, the latter CSRF-checked.
    HttpReply status_page(const HttpRequest& request);
    bool peer_allowed(const Peer& peer) const;
    void stop();

    EventLoop& loop_;
    Operations& operations_;
    SupervisorRpc rpc_{operations_};
    StatusPage page_{operations_};  // its token lives as long as the front
    HttpLimits limits_;
    BodyBudget bodies_{limits_.max_bodies};  // before daemon_: its connections give theirs back as it goes
    std::optional<HttpSettings> settings_;
    std::optional<HttpCredentials> credentials_;
    std::optional<gid_t> group_;  // control_group: its members may use a unix socket too
    std::string unix_path_;       // the socket file to remove, when on a unix socket
    std::unique_ptr<HttpDaemon> daemon_;
    Subscription settings_subscription_;
};

}  // namespace tend
