#include "tend/http/status_page.hpp"

#include <arpa/inet.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <utility>

#include "tend/util/system_error.hpp"
#include "tend/util/utf8.hpp"

namespace tend {

extern const std::string_view kStatusPageTemplate;

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::pair<char, std::string_view> kReferences[] = {
    {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};

// "12s", "5m 3s", "2h 5m", "3d 4h": what a glance needs.
std::string short_duration(double seconds) {
    long long s = std::llround(std::max(0.0, seconds));
    auto two = [](long long big, const char* big_unit, long long small, const char* small_unit) {
        return std::to_string(big) + big_unit + " " + std::to_string(small) + small_unit;
    };
    if (s < 60) return std::to_string(s) + "s";
    if (s < 3600) return two(s / 60, "m", s % 60, "s");
    if (s < 86400) return two(s / 3600, "h", s % 3600 / 60, "m");
    return two(s / 86400, "d", s % 86400 / 3600, "h");
}

// Why a service is in its state, when it says: the page's small grey line.
std::string state_reason(const ServiceStatus& s) {
    for (const std::string* reason : {&s.blocked_reason, &s.waiting, &s.fatal_reason, &s.status_text})
        if (!reason->empty()) return *reason;
    return s.stopped_by_operator ? "stopped by the operator" : "";
}

std::string health_cell(const ServiceStatus& s) {
    if (s.health.empty()) return "<td>\xE2\x80\x94</td>";  // an em dash: no check, or not running
    std::string cell = "<td class=\"h-" + html_escape(s.health) + "\">" + html_escape(s.health);
    if (s.health_failures > 0)
        cell += " (" + std::to_string(s.health_failures) + " of " + std::to_string(s.health_retries) + " failed)";
    if (s.health == "unhealthy" && !s.health_output.empty())
        cell += "<span class=\"why\">" + html_escape(s.health_output.substr(0, 300)) + "</span>";
    return cell + "</td>";
}

std::string row(const PageRow& page_row) {
    const ServiceStatus& s = page_row.status;
    std::string name = html_escape(s.name);
    std::string state = html_escape(s.state);
    std::string out = "<tr id=\"svc-" + name + "\" data-state=\"" + state + "\"><td>" + name + "</td>";
    out += "<td class=\"state s-" + state + "\">" + state;
    if (std::string why = state_reason(s); !why.empty()) out += "<span class=\"why\">" + html_escape(why) + "</span>";
    out += "</td><td class=\"num\">" + (s.uptime_seconds ? short_duration(*s.uptime_seconds) : "") + "</td>";
    out += "<td class=\"num\">" + std::to_string(s.restarts) + "</td>" + health_cell(s) + "<td><pre>";
    for (std::size_t i = 0; i < page_row.output.size(); ++i)
        out += (i ? "\n" : "") + html_escape(page_row.output[i]);
    out += "</pre></td><td>";
    for (const char* act : {"start", "stop", "restart"})
        out += std::string("<button data-act=\"") + act + "\" data-name=\"" + name + "\">" + act + "</button>";
    return out + "</td></tr>\n";
}

// Equal or not, in a time that does not tell how much of a guess was right.
bool same_secret(std::string_view given, std::string_view secret) {
    if (given.size() != secret.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ secret[i]);
    return diff == 0;
}

std::string host_name() {
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) < 0) return "";
    return name;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            std::size_t length = utf8_sequence_length(reinterpret_cast<const unsigned char*>(text.data()) + i,
                                                      text.size() - i);
            if (length == 0) {
                out += kReplacement;
                ++i;
            } else {
                out.append(text.substr(i, length));
                i += length;
            }
            continue;
        }
        std::string_view as = (c < 0x20 && c != '\t') || c == 0x7f ? kReplacement : std::string_view(&text[i], 1);
        for (const auto& [special, reference] : kReferences)
            if (c == special) as = reference;
        out += as;
        ++i;
    }
    return out;
}

bool local_host(std::string_view host) {
    std::string name;
    if (host.starts_with('[')) {
        std::size_t end = host.find(']');
        if (end == std::string_view::npos) return false;
        std::string_view rest = host.substr(end + 1);
        if (!rest.empty() && !rest.starts_with(':')) return false;
        in6_addr address{};
        return inet_pton(AF_INET6, std::string(host.substr(1, end - 1)).c_str(), &address) == 1;
    }
    name = std::string(host.substr(0, host.find(':')));
    if (name.size() == 9) {
        std::string lower;
        for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (lower == "localhost") return true;
    }
    in_addr address{};
    return inet_pton(AF_INET, name.c_str(), &address) == 1;
}

std::string csrf_refusal(const PostHeaders& headers, std::string_view token, bool local_host_only) {
    if (!headers.sec_fetch_site.empty() && headers.sec_fetch_site != "same-origin")
        return "refused: a request from another site (Sec-Fetch-Site: " + printable(headers.sec_fetch_site) + ")";
    if (!headers.origin.empty()) {
        std::string host(headers.host);
        if (headers.origin != "http://" + host && headers.origin != "https://" + host)
            return "refused: a request from another origin (Origin: " + printable(headers.origin) + ")";
    }
    if (local_host_only && !local_host(headers.host))
        return "refused: Host " + printable(headers.host) +
               " is not an IP address or localhost (a loopback listener without basic auth takes only those)";
    if (headers.token.empty())
        return "refused: no X-Tend-Token header (send the token of the status page's tend-token meta tag)";
    if (!same_secret(headers.token, token)) return "refused: wrong X-Tend-Token (reload the status page)";
    return "";
}

std::string new_page_token(std::size_t bytes_wanted) {
    unsigned char bytes[64];
    bytes_wanted = std::min(bytes_wanted, sizeof bytes);
    std::size_t have = 0;
    while (have < bytes_wanted) {
        ssize_t got = getrandom(bytes + have, bytes_wanted - have, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw errno_error("Failed to read random bytes for the status page's token");
        have += static_cast<std::size_t>(got);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string token;
    for (std::size_t i = 0; i < bytes_wanted; ++i) {
        token += kHex[bytes[i] >> 4];
        token += kHex[bytes[i] & 15];
    }
    return token;
}

std::string render_status_page(const std::vector<PageRow>& rows, std::string_view token, std::string_view title,
                               std::string_view nonce) {
    std::string body;
    for (const PageRow& r : rows) body += row(r);
    std::string values[] = {body, html_escape(token), html_escape(title), html_escape(nonce)};
    constexpr std::string_view kMarkers[] = {"@ROWS@", "@TOKEN@", "@TITLE@", "@NONCE@"};
    // One pass over the template: a value is never searched for markers, so
    // a service's "@TOKEN@" stays text.
    std::string page;
    std::string_view rest = kStatusPageTemplate;
    while (!rest.empty()) {
        std::size_t at = rest.find('@');
        page.append(rest.substr(0, at));
        if (at == std::string_view::npos) break;
        rest.remove_prefix(at);
        std::size_t which = 0;
        while (which < std::size(kMarkers) && !rest.starts_with(kMarkers[which])) ++which;
        if (which == std::size(kMarkers)) {
            page += '@';
            rest.remove_prefix(1);
        } else {
            page += values[which];
            rest.remove_prefix(kMarkers[which].size());
        }
    }
    return page;
}

const std::string& StatusPage::token() {
    if (token_.empty()) token_ = new_page_token();
    return token_;
}

HttpReply StatusPage::page() {
    std::vector<PageRow> rows;
    for (Service* service : operations_.lookup({}, true)) {
        PageRow page_row{operations_.status(*service), {}};
        for (const KeptLine& line : operations_.logs({service}, kOutputLines, false))
            page_row.output.push_back(line.line.text);
        rows.push_back(std::move(page_row));
    }
    std::string host = host_name();
    // Each page its own nonce: its one script and style run, nothing else would, were escaping ever to fail.
    std::string nonce = new_page_token(16);
    HttpReply reply{200, "text/html; charset=utf-8",
                    render_status_page(rows, token(), host.empty() ? "tend" : "tend on " + host, nonce)};
    reply.headers = {{"Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" +
                                                     nonce + "'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                                     "frame-ancestors 'none'"},
                     {"X-Frame-Options", "DENY"},  // no clicks on its buttons through another site's frame
                     {"Referrer-Policy", "no-referrer"}};
    return reply;
}

HttpReply StatusPage::act(std::string_view what) {
    std::size_t slash = what.find('/');
    std::string_view kind = what.substr(0, slash);
    if (slash == std::string_view::npos || (kind != "start" && kind != "stop" && kind != "restart"))
        return {404, "text/plain; charset=utf-8", "no such action: " + printable(what) + " (start, stop or restart)\n"};
    std::string name(what.substr(slash + 1));
    try {
        std::vector<Service*> services = operations_.lookup({name}, false);
        if (kind == "start") operations_.start(services);
        else if (kind == "stop") operations_.stop(services, false);
        else operations_.restart(services);
    } catch (const Refusal& refusal) {
        bool unknown = std::string_view(refusal.what()).starts_with("no such service");
        return {unknown ? 404u : 409u, "text/plain; charset=utf-8", printable(refusal.what(), 4000) + "\n"};
    }
    std::string done = kind == "start" ? "starting " : kind == "stop" ? "stopping " : "restarting ";
    return {200, "text/plain; charset=utf-8", done + printable(name) + "\n"};
}

}  // namespace tend
