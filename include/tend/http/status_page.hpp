// The status page at `/`: one self-contained HTML page (the template in
// status_page_html.cpp) listing every service with its state, uptime,
// restarts, health and last lines of output, with start, stop and restart
// buttons that POST to /action/KIND/NAME. Service output is hostile input:
// every byte of it reaches the page through html_escape(). A POST must carry
// the daemon's page token and must not come from another site
// (csrf_refusal(); the design is in docs/security.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tend/http/http_routes.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {

// `text` safe inside HTML text and quoted attributes: & < > " ' as
// references, invalid UTF-8 and control characters other than tab as U+FFFD.
std::string html_escape(std::string_view text);

// What the CSRF check looks at in a POST (each "" when absent).
struct PostHeaders {
    std::string_view token;           // X-Tend-Token
    std::string_view origin;          // Origin
    std::string_view sec_fetch_site;  // Sec-Fetch-Site
    std::string_view host;            // Host
};

// "" when a POST may be carried out, else why not (the 403's text). With
// `local_host_only` (a loopback listener without basic auth) the Host must
// also be an IP address or localhost, so a DNS-rebound name cannot read the
// page's token.
std::string csrf_refusal(const PostHeaders& headers, std::string_view token, bool local_host_only);

// Whether `host` (a Host header: name or address, maybe a port) is an IP
// address or localhost.
bool local_host(std::string_view host);

// A fresh token: `bytes` (at most 64) random bytes from getrandom(2), in hex.
std::string new_page_token(std::size_t bytes = 32);

// One service's row as the page shows it.
struct PageRow {
    ServiceStatus status;
    std::vector<std::string> output;  // its last lines, oldest first
};

// The whole page, every row's text escaped; `nonce` is the one its
// Content-Security-Policy lets its inline script and style run with.
std::string render_status_page(const std::vector<PageRow>& rows, std::string_view token, std::string_view title,
                               std::string_view nonce);

class StatusPage {
public:
    // Lines of output shown per service.
    static constexpr std::size_t kOutputLines = 5;

    explicit StatusPage(Operations& operations) : operations_(operations) {}

    // GET of `/`.
    HttpReply page();
    // POST of /action/KIND/NAME (`what` is KIND/NAME), once csrf_refusal() passed.
    HttpReply act(std::string_view what);
    // Made at the first request that needs it: a tend whose page is never
    // asked for never reads random bytes (getrandom(2) may wait for entropy
    // early in a machine's boot, and this is PID 1).
    const std::string& token();

private:
    Operations& operations_;
    std::string token_;
};

}  // namespace tend
