// docker-compose's spellings in tend.yaml: each accepted form and what it
// becomes, each refused one and its exact message (docs/migrating.md's table).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "config_errors.hpp"
#include "fake_credentials.hpp"
#include "tend/config/compose_keys.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"

namespace unit_compose_test {

using namespace tend;
using tend::test::errors_of;
using Argv = std::vector<std::string>;

namespace {

// One service `web` made of these lines (indented under it).
ServiceSpec web(const std::string& lines) {
    Config c = parse_config("services:\n  web:\n" + lines, "t.yaml", fake_credentials);
    REQUIRE(c.services.size() == 1);
    return c.services[0];
}

}  // namespace

TEST_CASE("healthcheck's test forms become the exec check tend runs") {
    CHECK(web("    command: [x]\n    healthcheck: {test: [CMD, curl, -f, http://localhost]}\n").health.probe.argv ==
          Argv{"curl", "-f", "http://localhost"});
    CHECK(web("    command: [x]\n    healthcheck: {test: [CMD-SHELL, \"pg_isready || exit 1\"]}\n").health.probe.argv ==
          Argv{"/bin/sh", "-c", "pg_isready || exit 1"});
    CHECK(web("    command: [x]\n    healthcheck: {test: \"curl -f localhost\"}\n").health.probe.argv ==
          Argv{"/bin/sh", "-c", "curl -f localhost"});
    CHECK_FALSE(web("    command: [x]\n    healthcheck: {test: [NONE]}\n").health.enabled());
    CHECK_FALSE(web("    command: [x]\n    healthcheck: {test: [CMD, \"true\"], disable: true}\n").health.enabled());
    CHECK_FALSE(web("    command: [x]\n    healthcheck: {disable: true}\n").health.enabled());
}

TEST_CASE("healthcheck takes docker's defaults and compose's timing keys") {
    const HealthSpec defaults = web("    command: [x]\n    healthcheck: {test: [CMD, \"true\"]}\n").health;
    CHECK(defaults.probe.interval == 30s);
    CHECK(defaults.probe.timeout == 30s);
    CHECK(defaults.retries == 3);
    CHECK(defaults.start_period == 0s);
    CHECK(defaults.start_interval == 5s);
    const HealthSpec h = web("    command: [x]\n    healthcheck:\n      test: [CMD, \"true\"]\n      interval: 1m30s\n"
                             "      timeout: 10s\n      retries: 5\n      start_period: 40s\n      start_interval: 2s\n")
                             .health;
    CHECK(h.probe.interval == 90s);
    CHECK(h.probe.timeout == 10s);
    CHECK(h.retries == 5);
    CHECK(h.start_period == 40s);
    CHECK(h.start_interval == 2s);
}

TEST_CASE("health's exec takes compose's CMD and CMD-SHELL forms instead of running a program named CMD") {
    CHECK(web("    command: [x]\n    health: {exec: [CMD, curl, -f, http://127.0.0.1/]}\n").health.probe.argv ==
          Argv{"curl", "-f", "http://127.0.0.1/"});
    CHECK(web("    command: [x]\n    health: {exec: [CMD-SHELL, \"curl -f x\"]}\n").health.probe.argv ==
          Argv{"/bin/sh", "-c", "curl -f x"});
    CHECK(web("    command: [x]\n    ready: {exec: [CMD, pg_isready]}\n").ready.probe.argv == Argv{"pg_isready"});
    CHECK(web("    command: [x]\n    health: {exec: [curl, CMD]}\n").health.probe.argv == Argv{"curl", "CMD"});
}

TEST_CASE("compose's check forms that mean nothing runnable are refused with their message") {
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    health: {exec: [NONE]}\n") ==
          "t.yaml:4:20: services.web.health.exec: NONE turns a compose healthcheck off; for no check, leave health out");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    health: {exec: [CMD]}\n") ==
          "t.yaml:4:20: services.web.health.exec: expected a program after CMD, e.g. [CMD, pg_isready]");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    healthcheck: {test: [CMD-SHELL, a, b]}\n") ==
          "t.yaml:4:25: services.web.healthcheck.test: CMD-SHELL takes one shell command string, e.g. [CMD-SHELL, \"pg_isready || exit 1\"]");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    healthcheck: {test: [curl, x]}\n") ==
          "t.yaml:4:25: services.web.healthcheck.test: a list starts with CMD, CMD-SHELL or NONE, e.g. [CMD, pg_isready]; or give a shell string");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    healthcheck: {interval: 5s}\n") ==
          "t.yaml:4:18: services.web.healthcheck: missing test (there is no image HEALTHCHECK to inherit)");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    healthcheck: {test: [NONE]}\n    health: {exec: [x]}\n") ==
          "t.yaml:4:18: services.web.healthcheck: give health or healthcheck (compose's name for it), not both");
}

TEST_CASE("restart takes compose's \"no\", unless-stopped and on-failure:N") {
    CHECK(web("    command: [x]\n    restart: \"no\"\n").restart == RestartPolicy::never);
    CHECK(web("    command: [x]\n    restart: no\n").restart == RestartPolicy::never);
    CHECK(web("    command: [x]\n    restart: unless-stopped\n").restart == RestartPolicy::always);
    const ServiceSpec three = web("    command: [x]\n    restart: on-failure:3\n");
    CHECK(three.restart == RestartPolicy::on_failure);
    CHECK(three.max_restarts == 3);
    CHECK(web("    command: [x]\n    restart: on-failure:0\n").max_restarts == -1);  // docker: no limit
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    restart: on-failure:many\n") ==
          "t.yaml:4:14: services.web.restart: expected on-failure:N with N a whole number, got 'on-failure:many'");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    max_restarts: 2\n    restart: on-failure:3\n") ==
          "t.yaml:4:19: services.web.max_restarts: the count is given in restart: on-failure:N already");
}

TEST_CASE("stop_grace_period is stop_timeout; giving both is an error") {
    CHECK(web("    command: [x]\n    stop_grace_period: 1m30s\n").stop_timeout == 90s);
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    stop_timeout: 5s\n    stop_grace_period: 6s\n") ==
          "t.yaml:5:24: services.web.stop_grace_period: give stop_timeout or stop_grace_period (compose's name for it), not both");
}

TEST_CASE("user takes compose's USER:GROUP, with names or ids") {
    const ServiceSpec ids = web("    command: [x]\n    user: \"1000:1001\"\n");
    REQUIRE(ids.credentials);
    CHECK(ids.credentials->uid == 1000);
    CHECK(ids.credentials->gid == 1001);
    const ServiceSpec names = web("    command: [x]\n    user: postgres:nobody\n");
    REQUIRE(names.credentials);
    CHECK(names.credentials->uid == 101);
    CHECK(names.credentials->gid == 65534);
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    user: \"1000:\"\n") ==
          "t.yaml:4:11: services.web.user: expected USER or USER:GROUP (names or ids), got '1000:'");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    user: \"1:2\"\n    group: \"3\"\n") ==
          "t.yaml:5:12: services.web.group: the group is given in user: \"USER:GROUP\" already");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    user: \"app:1\"\n") ==
          "t.yaml:4:11: services.web.user: no such user 'app'");
}

TEST_CASE("entrypoint then command make the argv, as compose makes it") {
    CHECK(web("    entrypoint: [/entry.sh, -v]\n    command: [serve, --port, \"80\"]\n").argv ==
          Argv{"/entry.sh", "-v", "serve", "--port", "80"});
    CHECK(web("    entrypoint: /entry.sh -v\n    command: serve --name 'a b'\n").argv ==
          Argv{"/entry.sh", "-v", "serve", "--name", "a b"});
    CHECK(web("    entrypoint: [/entry.sh]\n").argv == Argv{"/entry.sh"});
    CHECK(web("    entrypoint: []\n    command: echo hi\n").argv == Argv{"/bin/sh", "-c", "echo hi"});
    CHECK(errors_of("services:\n  web:\n    entrypoint: [/e]\n    command: \"a 'b\"\n") ==
          "t.yaml:4:14: services.web.command: an unterminated quote or a trailing backslash (after entrypoint, a command "
          "string is split into arguments as compose does)");
    CHECK(errors_of("services:\n  web:\n    entrypoint: []\n") == "t.yaml:2:3: services.web: missing required key 'command'");
}

TEST_CASE("ulimits is limits") {
    const ServiceSpec s = web("    command: [x]\n    ulimits: {nofile: {soft: 1024, hard: 2048}, core: 0}\n");
    REQUIRE(s.limits.size() == 2);
    CHECK(s.limits[0].soft == 1024);
    CHECK(s.limits[0].hard == 2048);
}

TEST_CASE("x- extension fields are ignored at the top level, in settings, in a service and in its maps") {
    Config c = parse_config(R"(
x-common: &common {restart: always}
settings:
  x-note: anything
services:
  web:
    <<: *common
    x-owner: team-a
    command: [x]
    healthcheck: {test: [CMD, "true"], x-why: because}
    depends_on: {db: {condition: service_started, x-note: 1}}
  db:
    command: [y]
)", "t.yaml", fake_credentials);
    REQUIRE(c.services.size() == 2);
    CHECK(c.services[0].restart == RestartPolicy::always);
    // Only where keys are tend's: environment's names are the service's own.
    CHECK(parse_config("services:\n  web:\n    command: [x]\n    environment: {x-a: b}\n", "t.yaml", fake_credentials)
              .services[0]
              .environment.at("x-a") == "b");
}

TEST_CASE("depends_on takes compose's restart: true") {
    Config c = parse_config("services:\n  db:\n    command: [x]\n  web:\n    command: [y]\n"
                            "    depends_on: {db: {condition: service_healthy, required: false, restart: true}}\n",
                            "t.yaml", fake_credentials);
    const Dependency& d = c.services[1].depends_on.at(0);
    CHECK(d.condition == DependencyCondition::healthy);
    CHECK_FALSE(d.required);
    CHECK(d.restart);
}

TEST_CASE("keys about images and containers are refused with why") {
    CHECK(errors_of("services:\n  web:\n    image: nginx\n    command: [x]\n") ==
          "t.yaml:3:12: services.web.image: is about images and containers, and tend runs commands inside one image: "
          "set it where that container is defined");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    ports: [\"80:80\"]\n") ==
          "t.yaml:4:12: services.web.ports: is about images and containers, and tend runs commands inside one image: "
          "set it where that container is defined");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    init: true\n") ==
          "t.yaml:4:11: services.web.init: is not needed: tend is the container's init (PID 1) already");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    extends: base\n") ==
          "t.yaml:4:14: services.web.extends: is not tend's: reuse a definition with a YAML anchor and a merge key (<<: *base)");
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    imagee: x\n") ==
          "t.yaml:4:5: services.web: unknown key 'imagee' (did you mean 'image'?)");
}

TEST_CASE("profiles: a service starts by itself only when one of its profiles is active") {
    std::vector<ServiceSpec> services(3);
    services[0].profiles = {"debug"};
    services[1].profiles = {"tools", "ops"};
    apply_profiles(services, " ops ,other");
    CHECK_FALSE(services[0].autostart);
    CHECK(services[1].autostart);
    CHECK(services[2].autostart);  // no profiles: always
    std::vector<ServiceSpec> all(1);
    all[0].profiles = {"debug"};
    apply_profiles(all, "*");
    CHECK(all[0].autostart);
    CHECK(errors_of("services:\n  web:\n    command: [x]\n    profiles: [-x]\n") ==
          "t.yaml:4:16: services.web.profiles[0]: invalid profile name '-x' (letters, digits, '_', '.', '-', starting "
          "with a letter or digit)");
}

TEST_CASE("the loader reads the active profiles from TEND_PROFILES") {
    const std::string yaml = "services:\n  web:\n    command: [x]\n    profiles: [debug]\n";
    ::unsetenv("TEND_PROFILES");
    CHECK_FALSE(parse_config(yaml, "t.yaml", fake_credentials).services[0].autostart);
    ::setenv("TEND_PROFILES", "debug", 1);
    CHECK(parse_config(yaml, "t.yaml", fake_credentials).services[0].autostart);
    ::unsetenv("TEND_PROFILES");
}

TEST_CASE("a one-shot refuses a healthcheck as it refuses health, unless it turns the check off") {
    CHECK(errors_of("services:\n  job:\n    command: [x]\n    type: oneshot\n    healthcheck: {test: \"true\"}\n") ==
          "t.yaml:5:18: services.job.healthcheck: a one-shot has no health to check");
    CHECK(errors_of("services:\n  job:\n    command: [x]\n    type: oneshot\n    healthcheck: {disable: true}\n") ==
          "(no error)");
}

}  // namespace unit_compose_test
