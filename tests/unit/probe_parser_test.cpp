#include <doctest/doctest.h>

#include "tend/config/config_loader.hpp"
#include "tend/config/probe_parser.hpp"

namespace unit_probe_parser_test {

using namespace tend;

namespace {

// The one service of a config made of these keys (a copy: the config is a temporary).
ServiceSpec with(const std::string& keys) {
    return parse_config("services:\n  web:\n    command: x\n" + keys, "t.yaml").services.front();
}

}  // namespace

TEST_CASE("probes are described the way the log and status show them") {
    CHECK(describe(with("    ready: {tcp: 5432}\n").ready.probe) == "tcp 127.0.0.1:5432");
    CHECK(describe(with("    ready: {tcp: '[::1]:80'}\n").ready.probe) == "tcp ::1:80");
    CHECK(describe(with("    ready: {http: 'http://localhost/'}\n").ready.probe) == "http localhost:80/");
    CHECK(describe(with("    health: {exec: [pg_isready, -q]}\n").health.probe) == "exec pg_isready -q");
    CHECK(describe(with("    ready: {log: ready}\n").ready.probe) == "log /ready/");
    CHECK(describe(ProbeSpec{}) == "none");
}

TEST_CASE("a URL without a path checks /, and timings have their defaults") {
    const ServiceSpec s = with("    ready: {http: 'http://127.0.0.1:8080'}\n    health: {tcp: 80}\n");
    CHECK(s.ready.probe.path == "/");
    CHECK(s.ready.probe.port == 8080);
    CHECK(s.ready.probe.interval == std::chrono::seconds(1));
    CHECK(s.ready.probe.timeout == std::chrono::seconds(5));
    CHECK(s.ready.timeout == std::chrono::seconds(90));  // systemd's default start timeout
    CHECK(with("    ready: {tcp: 80, timeout: 0}\n").ready.timeout == Duration{0});
    CHECK(s.health.probe.interval == std::chrono::seconds(10));
    CHECK(s.health.retries == 3);
    CHECK(s.ready.external());
    CHECK(s.health.enabled());
}

TEST_CASE("a health check cannot read the output; readiness can") {
    CHECK_THROWS_AS(with("    health: {log: ready}\n"), ConfigError);
    CHECK_NOTHROW(with("    ready: {log: ready}\n"));
}

TEST_CASE("a log pattern RE2 cannot take is an error at its place that says why") {
    try {
        with("    ready: {log: 'port (\\d+) \\1'}\n");
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) ==
              "t.yaml:4:18: services.web.ready.log: invalid regular expression: back-references such as \\1 are not "
              "supported (patterns use RE2 syntax, which matches in linear time)");
    }
    CHECK_THROWS_AS(with("    ready: {log: '(' }\n"), ConfigError);
    CHECK_NOTHROW(with("    ready: {log: '(a+)+$'}\n"));
}

}  // namespace unit_probe_parser_test
