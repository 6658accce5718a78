#include <doctest/doctest.h>

#include "supervisor_harness.hpp"
#include "tend/http/http_routes.hpp"
#include "tend/http/metrics_text.hpp"
#include "tend/supervisor/operations.hpp"

namespace unit_http_routes_test {

using namespace tend;
using namespace tend::test;

TEST_CASE("the probe pages answer 200 ok, or 503 with what tendctl health says on one line") {
    Harness h("services:\n" + service("web") + service("api"));
    Operations ops(*h.supervisor, h.loop);
    HttpReply healthy = route(ops, "GET", "/healthz");
    CHECK(healthy.status == 200);
    CHECK(healthy.body == "ok\n");
    h.host.exit(h.pid("api"), ExitStatus::exited(3));
    h.turn();
    HttpReply sick = route(ops, "GET", "/healthz");
    CHECK(sick.status == 503);
    CHECK(sick.body == "api is backoff\n");
    CHECK(route(ops, "HEAD", "/readyz").status == 503);
    CHECK(route(ops, "GET", "/health/web").status == 200);
    CHECK(route(ops, "GET", "/health/api").body == "api is backoff\n");
}

TEST_CASE("an unknown service or page is a 404 naming it, in printable characters; other methods a 405") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    HttpReply unknown = route(ops, "GET", "/health/wbe");
    CHECK(unknown.status == 404);
    CHECK(unknown.body == "no such service: wbe\n");
    CHECK(route(ops, "GET", "/health/w\neb").body == "no such service: w?eb (did you mean web?)\n");
    CHECK(route(ops, "GET", "/health/").status == 404);
    CHECK(route(ops, "GET", "/../etc/passwd").body == "no such page: /../etc/passwd\n");
    CHECK(route(ops, "POST", "/healthz").status == 405);
    CHECK(route(ops, "DELETE", "/metrics").status == 405);
}

TEST_CASE("/metrics is the Prometheus text format with every service and the request counts") {
    Harness h("services:\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    route(ops, "GET", "/healthz");
    HttpReply metrics = route(ops, "GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.content_type == kMetricsContentType);
    CHECK(metrics.body.find("tend_service_state{service=\"web\",group=\"web\",state=\"running\"} 1\n") !=
          std::string::npos);
    CHECK(metrics.body.find("tend_requests_total{front=\"http\"} 0\n") != std::string::npos);  // route() counts nothing itself
}

}  // namespace unit_http_routes_test
