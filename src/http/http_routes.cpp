#include "tend/http/http_routes.hpp"

#include "tend/http/metrics_page.hpp"
#include "tend/http/metrics_text.hpp"

namespace tend {
namespace {

// 200 "ok", or 503 with the problems on one line: what a probe logs.
HttpReply probe_reply(const HealthReport& report) {
    if (report.healthy()) return {200, "text/plain; charset=utf-8", "ok\n"};
    std::string line;
    for (const std::string& problem : report.problems) line += (line.empty() ? "" : "; ") + problem;
    return {503, "text/plain; charset=utf-8", printable(line, 4000) + "\n"};
}

HttpReply service_health(Operations& operations, std::string_view name) {
    try {
        return probe_reply(operations.health(operations.lookup({std::string(name)}, false)));
    } catch (const Refusal& refusal) {
        return {404, "text/plain; charset=utf-8", printable(refusal.what()) + "\n"};
    }
}

}  // namespace

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (char c : text.substr(0, max)) out += c >= 0x20 && c < 0x7f ? c : '?';
    return out;
}

HttpReply route(Operations& operations, std::string_view method, std::string_view path) {
    if (method != "GET" && method != "HEAD") return {405, "text/plain; charset=utf-8", "only GET and HEAD are served\n"};
    if (path == "/metrics") return {200, kMetricsContentType, metrics_page(operations.metrics(), operations.own_metrics())};
    if (path == "/healthz") return probe_reply(operations.health());
    if (path == "/readyz") return probe_reply(operations.readiness());
    constexpr std::string_view kHealth = "/health/";
    if (path.starts_with(kHealth) && path.size() > kHealth.size()) return service_health(operations, path.substr(kHealth.size()));
    return {404, "text/plain; charset=utf-8", "no such page: " + printable(path) + "\n"};
}

}  // namespace tend
