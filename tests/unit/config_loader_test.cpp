#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "tend/config/config_error.hpp"
#include "config_errors.hpp"
#include "fake_credentials.hpp"
#include "tend/config/config_loader.hpp"

namespace unit_config_loader_test {

using namespace tend;

using tend::test::errors_of;

TEST_CASE("a complete service definition loads with every field") {
    Config c = parse_config(R"(
settings:
  control_socket: /run/x.sock
  shutdown_timeout: 20s
  kill_grace: 500ms
  log_format: json
  log_level: debug
services:
  db:
    command: [postgres, -D, /var/lib/pg]
    user: root
    working_dir: /tmp
    environment: {PGPORT: "5432", EMPTY: }
    autostart: false
    restart: always
    success_exit_codes: [0, 3]
    min_uptime: 2s
    max_restarts: -1
    backoff: {initial: 100ms, max: 5s, factor: 3}
    stop_signal: INT
    stop_timeout: 1m
    kill_mode: process
    critical: true
    output: inherit
  web:
    command: "exec nginx -g 'daemon off;'"
    depends_on: {db: started}
)", "t.yaml", fake_credentials);
    REQUIRE(c.services.size() == 2);
    const ServiceSpec& db = c.services[0];
    CHECK(db.name == "db");
    CHECK(db.argv == std::vector<std::string>{"postgres", "-D", "/var/lib/pg"});
    CHECK(db.credentials->uid == 0);
    CHECK(db.working_dir == "/tmp");
    CHECK(db.environment.at("PGPORT") == "5432");
    CHECK(db.environment.count("EMPTY") == 0);  // `EMPTY:` passes tend's value through; tend has none
    CHECK_FALSE(db.autostart);
    CHECK(db.restart == RestartPolicy::always);
    CHECK(db.success_exit_codes == std::vector<int>{0, 3});
    CHECK(db.min_uptime == Duration(2000));
    CHECK(db.max_restarts == -1);
    CHECK(db.backoff.initial == Duration(100));
    CHECK(db.backoff.max == Duration(5000));
    CHECK(db.backoff.factor == 3.0);
    CHECK(db.stop_signal == SIGINT);
    CHECK(db.stop_timeout == Duration(60'000));
    CHECK(db.kill_mode == KillMode::process);
    CHECK(db.critical);
    CHECK(db.output == OutputMode::inherit);
    const ServiceSpec& web = c.services[1];
    CHECK(web.argv == std::vector<std::string>{"/bin/sh", "-c", "exec nginx -g 'daemon off;'"});
    REQUIRE(web.depends_on.size() == 1);
    CHECK(web.depends_on[0].name == "db");
    CHECK(c.settings.control_socket == "/run/x.sock");
    CHECK(c.settings.shutdown_timeout == Duration(20'000));
    CHECK(c.settings.kill_grace == Duration(500));
    CHECK(c.settings.log_format == LogFormat::json);
    CHECK(c.settings.log_level == "debug");
}

TEST_CASE("output keys load, with sizes in bytes") {
    Config c = parse_config("services:\n  web:\n    command: x\n    output: null\n    log_file: /var/log/web.log\n"
                            "    log_max_size: 2MiB\n    log_keep: 7\n    log_buffer_lines: 50\n", "t.yaml", fake_credentials);
    const ServiceSpec& web = c.services.at(0);
    CHECK(web.output == OutputMode::discard);
    CHECK(web.log_file == "/var/log/web.log");
    CHECK(web.log_max_size == 2u * 1024 * 1024);
    CHECK(web.log_keep == 7);
    CHECK(web.log_buffer_lines == 50);
    Config f = parse_config("services:\n  web: {command: x, forward_signals: [USR1, SIGWINCH, 12]}\n", "t.yaml", fake_credentials);
    CHECK(f.services.at(0).forward_signals == std::vector<int>{SIGUSR1, SIGWINCH, SIGUSR2});
    Config d = parse_config("services:\n  web: {command: x}\n", "t.yaml", fake_credentials);
    CHECK(d.services.at(0).log_buffer_lines == 1000);
    CHECK(d.services.at(0).log_file.empty());
}

TEST_CASE("defaults follow DESIGN.md") {
    Config c = parse_config("services:\n  a:\n    command: [true]\n", "t.yaml", fake_credentials);
    const ServiceSpec& a = c.services.at(0);
    CHECK(a.autostart);
    CHECK(a.restart == RestartPolicy::on_failure);
    CHECK(a.success_exit_codes == std::vector<int>{0});
    CHECK(a.min_uptime == Duration(1000));
    CHECK(a.max_restarts == 5);
    CHECK(a.backoff.initial == Duration(200));
    CHECK(a.backoff.max == Duration(30'000));
    CHECK(a.stop_signal == SIGTERM);
    CHECK(a.stop_timeout == Duration(10'000));
    CHECK(a.kill_mode == KillMode::group);
    CHECK_FALSE(a.critical);
    CHECK(a.output == OutputMode::prefix);
    CHECK(c.settings.control_socket == "/run/tend.sock");
    CHECK(c.settings.shutdown_timeout == Duration(30'000));
    CHECK(c.settings.kill_grace == Duration(3000));
}

TEST_CASE("an empty file is a valid config with no services") {
    CHECK(parse_config("", "t.yaml", fake_credentials).services.empty());
    CHECK(parse_config("services:\n", "t.yaml", fake_credentials).services.empty());
}

TEST_CASE("docker-compose's KEY=value list form of environment is accepted") {
    Config c = parse_config("services:\n  a:\n    command: x\n    environment: [A=1, B=two=2]\n", "t.yaml", fake_credentials);
    CHECK(c.services[0].environment.at("A") == "1");
    CHECK(c.services[0].environment.at("B") == "two=2");
}

TEST_CASE("bad configs are reported with file, line, column and what was expected") {
    struct Case {
        const char* yaml;
        std::string error;
    };
    const Case cases[] = {
        {"services:\n  web:\n    command: x\n    restat: always\n",
         "t.yaml:4:5: services.web: unknown key 'restat' (did you mean 'restart'?)"},
        {"services:\n  web:\n    command: x\n    restart: sometimes\n",
         "t.yaml:4:14: services.web.restart: expected always, on-failure or never (or compose's \"no\", unless-stopped, on-failure:N), got 'sometimes'"},
        {"services:\n  web:\n    command: x\n    stop_timeout: 10 seconds\n",
         "t.yaml:4:19: services.web.stop_timeout: invalid duration '10 seconds' (expected e.g. 250ms, 10s, 2m, 1h or seconds; at most 87600h)"},
        {"services:\n  web:\n    command: x\n    stop_signal: TERMINATE\n",
         "t.yaml:4:18: services.web.stop_signal: unknown signal 'TERMINATE' (expected e.g. TERM, SIGINT or 15)"},
        {"services:\n  web:\n    command: x\n    depends_on: [dbb]\n  db:\n    command: y\n",
         "t.yaml:4:18: services.web.depends_on: no such service 'dbb' (did you mean 'db'?)"},
        {"services:\n  a:\n    command: x\n    depends_on: [b]\n  b:\n    command: y\n    depends_on: [a]\n",
         "t.yaml:7:18: services.b.depends_on: dependency cycle a -> b -> a"},
        {"services:\n  web:\n    restart: always\n",
         "t.yaml:2:3: services.web: missing required key 'command'"},
        {"services:\n  web:\n    command: x\n    max_restarts: many\n",
         "t.yaml:4:19: services.web.max_restarts: expected a whole number, got 'many'"},
        {"services:\n  web:\n    command: x\n    max_restarts: -2\n",
         "t.yaml:4:19: services.web.max_restarts: -2 is out of range -1..1000000000"},
        {"services:\n  web:\n    command: x\n    autostart: maybe\n",
         "t.yaml:4:16: services.web.autostart: expected true or false, got 'maybe'"},
        {"services:\n  web:\n    command: {a: b}\n",
         "t.yaml:3:14: services.web.command: expected a list of arguments or a shell command string"},
        {"services:\n  web:\n    command: x\n    environment: [=VALUE]\n",
         "t.yaml:4:19: services.web.environment: expected KEY=value or NAME, got '=VALUE'"},
        {"services:\n  web:\n    command: x\n    success_exit_codes: [0, 300]\n",
         "t.yaml:4:29: services.web.success_exit_codes[1]: 300 is out of range 0..255"},
        {"services:\n  web:\n    command: x\n    backoff: {initial: 5s, max: 1s}\n",
         "t.yaml:4:14: services.web.backoff: max (1s) is below initial (5s)"},
        {"services:\n  web:\n    command: x\n    backoff: {factor: 0.5}\n",
         "t.yaml:4:23: services.web.backoff.factor: 0.5 is below the minimum 1.0"},
        {"services:\n  web:\n    command: x\n    backoff: {factor: inf}\n",
         "t.yaml:4:23: services.web.backoff.factor: expected a finite number, got 'inf'"},
        {"services:\n  web:\n    command: x\n    backoff: {factor: nan}\n",
         "t.yaml:4:23: services.web.backoff.factor: expected a finite number, got 'nan'"},
        {"services:\n  web:\n    command: x\n    backoff: {initial: 0, factor: 2}\n",
         "t.yaml:4:35: services.web.backoff.factor: has nothing to multiply: initial 0 means no backoff, every restart at once (drop factor, or give initial a duration)"},
        {"services:\n  web:\n    command: x\n    stop_timeout: 9223372036854775807s\n",
         "t.yaml:4:19: services.web.stop_timeout: invalid duration '9223372036854775807s' (expected e.g. 250ms, 10s, 2m, 1h or seconds; at most 87600h)"},
        {"settings:\n  shutdown_timeout: 87601h\n",
         "t.yaml:2:21: settings.shutdown_timeout: invalid duration '87601h' (expected e.g. 250ms, 10s, 2m, 1h or seconds; at most 87600h)"},
        {"services:\n  web:\n    command: x\n    user: no-such-user-here\n",
         "t.yaml:4:11: services.web.user: no such user 'no-such-user-here'"},
        {"services:\n  web:\n    command: x\n    user: \"4294967296\"\n",
         "t.yaml:4:11: services.web.user: invalid uid 4294967296 (ids are 0..4294967294)"},
        {"services:\n  web:\n    command: x\n    user: \"4294967295\"\n",
         "t.yaml:4:11: services.web.user: invalid uid 4294967295 (ids are 0..4294967294)"},
        {"services:\n  web:\n    command: x\n    user: \"99999999999999999999999\"\n",
         "t.yaml:4:11: services.web.user: invalid uid 99999999999999999999999 (ids are 0..4294967294)"},
        {"services:\n  web:\n    command: x\n    user: root\n    group: \"4294967296\"\n",
         "t.yaml:5:12: services.web.group: invalid gid 4294967296 (ids are 0..4294967294)"},
        {"services:\n  web:\n    command: x\n    user: root\n    group: no-such-group-here\n",
         "t.yaml:5:12: services.web.group: no such group 'no-such-group-here'"},
        {"settings:\n  log_format: xml\n",
         "t.yaml:2:15: settings.log_format: expected text or json, got 'xml'"},
        {"settings:\n  shutdown_timout: 10s\n",
         "t.yaml:2:3: settings: unknown key 'shutdown_timout' (did you mean 'shutdown_timeout'?)"},
        {"settings:\n  control_socket: relative.sock\n",
         "t.yaml:2:19: settings.control_socket: must be an absolute path"},
        {"services:\n  web:\n    command: x\n    kill_mode: everything\n",
         "t.yaml:4:16: services.web.kill_mode: expected group or process, got 'everything'"},
        {"services:\n  web:\n    command: x\n    depends_on: {db: alive}\n  db:\n    command: y\n",
         "t.yaml:4:22: services.web.depends_on.db: unknown condition 'alive' (expected started, ready, healthy or "
         "completed; or compose's service_started, service_healthy, service_completed_successfully)"},
        {"services:\n  web:\n    command: x\n    depends_on: {db: {condition: service_ok}}\n  db:\n    command: y\n",
         "t.yaml:4:34: services.web.depends_on.db.condition: unknown condition 'service_ok' (expected started, ready, "
         "healthy or completed; or compose's service_started, service_healthy, service_completed_successfully)"},
        {"services:\n  web:\n    command: x\n    ready: {tcp: 5432, exec: [true]}\n",
         "t.yaml:4:30: services.web.ready.exec: only one check may be given (already tcp)"},
        {"services:\n  web:\n    command: x\n    ready: {tcp: 'db:99999'}\n",
         "t.yaml:4:18: services.web.ready.tcp: expected ADDRESS:PORT with an IP address or localhost, e.g. 127.0.0.1:5432"},
        {"services:\n  web:\n    command: x\n    health: {tcp: 'db.example:5432'}\n",
         "t.yaml:4:19: services.web.health.tcp: expected ADDRESS:PORT with an IP address or localhost, e.g. 127.0.0.1:5432"},
        {"services:\n  web:\n    command: x\n    ready: {http: 'https://x/'}\n",
         "t.yaml:4:19: services.web.ready.http: expected an http:// URL with an IP address or localhost, e.g. http://127.0.0.1:8080/healthz"},
        {"services:\n  web:\n    command: x\n    ready: {log: 'a(b'}\n",
         "t.yaml:4:18: services.web.ready.log: invalid regular expression: missing ): a(b"},
        {"services:\n  web:\n    command: x\n    ready: {timeout: 5s}\n",
         "t.yaml:4:12: services.web.ready: say how readiness is known: notify (systemd, fd) or a check (exec, tcp, http, log)"},
        {"services:\n  web:\n    command: x\n    ready: {notify: tcp}\n",
         "t.yaml:4:21: services.web.ready.notify: expected systemd or fd, got 'tcp'"},
        {"services:\n  web:\n    command: x\n    ready: {tcp: 80, watchdog: 5s}\n",
         "t.yaml:4:32: services.web.ready.watchdog: only with notify: systemd (it listens for WATCHDOG=1)"},
        {"services:\n  init:\n    command: x\n    type: oneshot\n    ready: {tcp: 80}\n",
         "t.yaml:5:12: services.init.ready: a one-shot is never running, so never ready; dependants wait for `completed`"},
        {"services:\n  web:\n    command: x\n    health: {retries: 2}\n",
         "t.yaml:4:13: services.web.health: give one check: exec, tcp or http"},
        {"services:\n  web:\n    command: x\n    max_restarts: {count: 3}\n",
         "t.yaml:4:19: services.web.max_restarts: expected {count: N, within: DURATION}"},
        {"services:\n  web:\n    command: x\n    output: inherit\n    ready: {log: ready}\n",
         "t.yaml:5:12: services.web.ready.log: needs captured output (output: prefix, or a log_file)"},
        {"services:\n  a:\n    command: x\n---\nservices:\n  b:\n    command: y\n",
         "t.yaml:4:1: a second YAML document (after '---'): a config file holds one; split it into include files instead"},
        // Found by the config fuzzer: yaml-cpp loads this as nothing, and looped forever reading every document.
        {",a\n", "t.yaml:1:1: invalid YAML: unexpected ','"},
        {"services:\n  a:\n    command: [\"x\\0y\"]\n",
         "t.yaml:3:15: services.a.command[0]: contains a NUL byte (\\0), which a command line or environment cannot carry"},
        {"services:\n  a:\n    command: x\n    environment: {A: \"\\0\"}\n",
         "t.yaml:4:22: services.a.environment.A: contains a NUL byte (\\0), which a command line or environment cannot carry"},
        {"services:\n  a:\n    command: x\n    environment: {\"A\\0B\": 1}\n",
         "t.yaml:4:19: services.a.environment: the variable name 'A\\0B' contains a NUL byte (\\0), which an environment "
         "cannot carry"},
        {"services:\n  a:\n    command: x\n    environment: [\"A\\0B=1\"]\n",
         "t.yaml:4:19: services.a.environment[0]: contains a NUL byte (\\0), which a command line or environment cannot carry"},
        {"services:\n  web:\n    command: x\n    forward_signals: [USR1, WINCH, SIGUSR1]\n",
         "t.yaml:4:36: services.web.forward_signals[2]: SIGUSR1 is listed twice (first at [0])"},
        {"services:\n  a:\n    command: x\n    environment: [A=1, B=2, A=3]\n",
         "t.yaml:4:29: services.a.environment[2]: A is set twice in the list"},
        {"services:\n  web:\n    command: x\n    depends_on: [web]\n",
         "t.yaml:4:18: services.web.depends_on: a service cannot depend on itself"},
        {"services:\n  all:\n    command: x\n",
         "t.yaml:2:3: services.all: invalid service name (use letters, digits, '-', '_', '.', '@'; at most 64; not 'all')"},
        {"services: [a, b]\n", "t.yaml:1:11: services: expected a map, got a list"},
        {"servces:\n  a: {}\n", "t.yaml:1:1: the top level: unknown key 'servces' (did you mean 'services'?)"},
        {"services:\n  web:\n    command: [x\n", "t.yaml:4:1: invalid YAML: end of sequence flow not found"},
        {"services:\n  web:\n    command: x\n    output: everywhere\n",
         "t.yaml:4:13: services.web.output: expected prefix, inherit or null, got 'everywhere'"},
        {"services:\n  web:\n    command: x\n    stop_signal: STOP\n",
         "t.yaml:4:18: services.web.stop_signal: SIGSTOP cannot stop a service"},
        {"services:\n  web:\n    command: x\n    log_file: web.log\n",
         "t.yaml:4:15: services.web.log_file: expected an absolute path, got 'web.log'"},
        {"services:\n  web:\n    command: x\n    output: inherit\n    log_file: /var/log/web.log\n",
         "t.yaml:5:15: services.web.log_file: needs captured output, but output: inherit hands the service tend's own stdout"},
        {"services:\n  web:\n    command: x\n    log_max_size: 10 parsecs\n",
         "t.yaml:4:19: services.web.log_max_size: invalid size '10 parsecs' (expected e.g. 10MiB, 512K, 1G or bytes)"},
        {"services:\n  web:\n    command: x\n    log_max_size: 100\n",
         "t.yaml:4:19: services.web.log_max_size: must be at least 4KiB"},
        {"services:\n  web:\n    command: x\n    log_buffer_lines: -5\n",
         "t.yaml:4:23: services.web.log_buffer_lines: -5 is out of range 0..1000000"},
        {"services:\n  web:\n    command: x\n    forward_signals: [USR1, TERM]\n",
         "t.yaml:4:29: services.web.forward_signals: SIGTERM cannot be forwarded (only USR1, USR2 and WINCH)"},
        {"services:\n  web:\n    command: x\n    forward_signals: USR1\n",
         "t.yaml:4:22: services.web.forward_signals: expected a list of signals, e.g. [USR1, WINCH]"},
        {"settings: {log_level: info}\nsettings: {log_level: debug}\n",
         "t.yaml:2:1: the top level: duplicate key 'settings' (first at line 1)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.yaml);
        CHECK(errors_of(c.yaml) == c.error);
    }
}

TEST_CASE("every error of a file is reported, not only the first") {
    std::string all = errors_of(
        "services:\n"
        "  web:\n"
        "    command: x\n"
        "    restat: always\n"
        "    stop_timeout: soon\n"
        "  db:\n"
        "    command: y\n"
        "    stop_signal: NOPE\n");
    CHECK(all ==
          "t.yaml:4:5: services.web: unknown key 'restat' (did you mean 'restart'?)\n"
          "t.yaml:5:19: services.web.stop_timeout: invalid duration 'soon' (expected e.g. 250ms, 10s, 2m, 1h or seconds; at most 87600h)\n"
          "t.yaml:8:18: services.db.stop_signal: unknown signal 'NOPE' (expected e.g. TERM, SIGINT or 15)");
}

TEST_CASE("a tab used for indentation says so, at its position") {
    CHECK(errors_of("services:\n  web:\n\tcommand: x\n") ==
          "t.yaml:3:1: tabs are not allowed for indentation; use spaces");
    CHECK(errors_of("services:\n  web:\n   \tcommand: x\n") ==
          "t.yaml:3:4: tabs are not allowed for indentation; use spaces");
    CHECK_NOTHROW(parse_config("services:\n  web:\n    command: \"a\tb\"\n", "t.yaml", fake_credentials));  // a tab in a value is fine
}

TEST_CASE("errors read in line order, whatever check found them") {
    // The dependency check runs after the services are read; its error is on an earlier line.
    CHECK(errors_of("services:\n"
                    "  web:\n"
                    "    command: x\n"
                    "    depends_on: [nope]\n"
                    "  db:\n"
                    "    command: y\n"
                    "    restat: always\n") ==
          "t.yaml:4:18: services.web.depends_on: no such service 'nope'\n"
          "t.yaml:7:5: services.db: unknown key 'restat' (did you mean 'restart'?)");
}

TEST_CASE("did-you-mean never suggests the service being defined") {
    CHECK(errors_of("services:\n  web:\n    command: x\n    depends_on: [webb]\n") ==
          "t.yaml:4:18: services.web.depends_on: no such service 'webb'");
}

TEST_CASE("an error in one service does not cascade into 'no such service' in the services naming it") {
    CHECK(errors_of("services:\n"
                    "  db:\n"
                    "    command: x\n"
                    "    stop_timeout: soon\n"
                    "  app:\n"
                    "    command: y\n"
                    "    depends_on: [db]\n") ==
          "t.yaml:4:19: services.db.stop_timeout: invalid duration 'soon' (expected e.g. 250ms, 10s, 2m, 1h or seconds; at most 87600h)");
}

TEST_CASE("included files add services and their errors name the included file") {
    auto dir = std::filesystem::temp_directory_path() / ("tend-config-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir / "conf.d");
    std::ofstream(dir / "tend.yaml") << "settings:\n  include: [conf.d/*.yaml]\nservices:\n  web:\n    command: x\n";
    std::ofstream(dir / "conf.d" / "a.yaml") << "services:\n  worker:\n    command: y\n    depends_on: [web]\n";
    Config c = load_config_file((dir / "tend.yaml").string(), fake_credentials);
    REQUIRE(c.services.size() == 2);
    CHECK(c.services[1].name == "worker");

    std::ofstream(dir / "conf.d" / "b.yaml") << "services:\n  web:\n    command: z\n";
    try {
        load_config_file((dir / "tend.yaml").string(), fake_credentials);
        FAIL("a service defined twice must be an error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == (dir / "conf.d" / "b.yaml").string() + ":2:3: services.web: defined twice (first at " +
                                           (dir / "tend.yaml").string() + ":4:3)");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("the config fuzzer's hang: a NUL byte after a stray comma is an error, at once") {
    try {
        parse_config(std::string(",\0\xf7" "a", 4), "t.yaml", fake_credentials);
        FAIL("expected an error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == "t.yaml:1:1: invalid YAML: unexpected ','");
    }
}

TEST_CASE("deep nesting is said to be too deep, not a bad file") {
    std::string yaml = "services:\n  a:\n    command: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    try {
        parse_config(yaml, "t.yaml", fake_credentials);
        FAIL("expected an error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).find("too deeply nested") != std::string::npos);
    }
}

TEST_CASE("an include that names a directory or a symlink loop is an error where the include is written") {
    auto dir = std::filesystem::temp_directory_path() / ("tend-include-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir / "conf.d" / "sub.yaml");
    std::filesystem::create_symlink("loop-b", dir / "loop-a");
    std::filesystem::create_symlink("loop-a", dir / "loop-b");
    std::ofstream(dir / "tend.yaml") << "settings:\n  include: [conf.d/*.yaml, loop-a]\nservices: {}\n";
    try {
        load_config_file((dir / "tend.yaml").string(), fake_credentials);
        FAIL("expected an error");
    } catch (const ConfigError& e) {
        const std::string at = (dir / "tend.yaml").string() + ":2:12: settings.include: ";
        REQUIRE(e.diagnostics().size() == 2);
        CHECK(e.diagnostics()[0].to_string() ==
              at + (dir / "conf.d" / "sub.yaml").string() + ": cannot read config: a directory, not a regular file");
        CHECK(e.diagnostics()[1].to_string() ==
              at + (dir / "loop-a").string() + ": cannot read config: Too many levels of symbolic links");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing config file is an error naming it and the errno text") {
    try {
        load_config_file("/nonexistent/tend.yaml", fake_credentials);
        FAIL("expected an error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == "/nonexistent/tend.yaml: cannot read config: No such file or directory");
    }
}

TEST_CASE("readiness, health, one-shots, dependency conditions and crash windows parse") {
    Config c = parse_config(
        "settings:\n  exit_when: {any_fatal: true}\n"
        "services:\n"
        "  db:\n    command: postgres\n    ready: {notify: systemd, notify_access: all, watchdog: 30s, timeout: 1m}\n"
        "    max_restarts: {count: 5, within: 60s}\n    on_fatal: shutdown\n"
        "  cache:\n    command: redis\n    ready: {tcp: '6379', interval: 200ms}\n"
        "    health: {http: 'http://localhost:8080/healthz', retries: 2, timeout: 1s, start_period: 5s}\n"
        "  s6:\n    command: x\n    ready: {notify: fd, fd: 5}\n"
        "  log:\n    command: x\n    ready: {log: 'listening on .*'}\n"
        "  init:\n    command: x\n    type: oneshot\n"
        "  app:\n    command: x\n    health: {exec: 'curl -f localhost'}\n"
        "    depends_on:\n      db: {condition: service_healthy}\n      init: service_completed_successfully\n"
        "      cache: {condition: ready, required: false}\n      s6: started\n",
        "t.yaml");
    CHECK(c.settings.exit_on_any_fatal);
    const ServiceSpec& db = *c.find("db");
    CHECK(db.ready.notify == NotifyKind::systemd);
    CHECK(db.ready.notify_all);
    CHECK(db.ready.watchdog == std::chrono::seconds(30));
    CHECK(db.ready.timeout == std::chrono::minutes(1));
    CHECK(db.max_restarts == 5);
    CHECK(db.restart_window == std::chrono::seconds(60));
    CHECK(db.on_fatal == OnFatal::shutdown);
    const ServiceSpec& cache = *c.find("cache");
    CHECK(cache.ready.probe.kind == ProbeSpec::Kind::tcp);
    CHECK(cache.ready.probe.host == "127.0.0.1");
    CHECK(cache.ready.probe.port == 6379);
    CHECK(cache.ready.probe.interval == std::chrono::milliseconds(200));
    CHECK(cache.health.probe.kind == ProbeSpec::Kind::http);
    CHECK(cache.health.probe.host == "localhost");
    CHECK(cache.health.probe.port == 8080);
    CHECK(cache.health.probe.path == "/healthz");
    CHECK(cache.health.retries == 2);
    CHECK(cache.health.start_period == std::chrono::seconds(5));
    CHECK(c.find("s6")->ready.notify == NotifyKind::fd);
    CHECK(c.find("s6")->ready.fd == 5);
    CHECK(c.find("log")->ready.probe.pattern == "listening on .*");
    CHECK(c.find("init")->type == ServiceType::oneshot);
    const ServiceSpec& app = *c.find("app");
    CHECK(app.health.probe.argv == std::vector<std::string>{"/bin/sh", "-c", "curl -f localhost"});
    CHECK(app.health.probe.interval == std::chrono::seconds(10));
    REQUIRE(app.depends_on.size() == 4);
    CHECK(app.depends_on[0].condition == DependencyCondition::healthy);
    CHECK(app.depends_on[1].condition == DependencyCondition::completed);
    CHECK(app.depends_on[2].condition == DependencyCondition::ready);
    CHECK_FALSE(app.depends_on[2].required);
    CHECK(app.depends_on[3].condition == DependencyCondition::started);
}

TEST_CASE("past 100 errors only a count is kept, and every error is counted") {
    std::string yaml = "services:\n  a:\n    command: x\n";
    for (int i = 0; i < 300; ++i) yaml += "    restat" + std::to_string(i) + ": 1\n";
    try {
        parse_config(yaml, "t.yaml", fake_credentials);
        FAIL("expected an error");
    } catch (const ConfigError& e) {
        CHECK(e.total() == 300);
        REQUIRE(e.diagnostics().size() == 101);
        CHECK(e.diagnostics()[0].to_string() == "t.yaml:4:5: services.a: unknown key 'restat0' (did you mean 'restart'?)");
        CHECK(e.diagnostics()[99].to_string().starts_with("t.yaml:103:5: services.a: unknown key 'restat99'"));
        CHECK(e.diagnostics()[100].to_string() == "t.yaml: 200 more errors not shown (the first 100 are above)");
    }
}

TEST_CASE("an error list keeps the first 100 by place, whatever order they were found in, and counts the rest") {
    ErrorList errors;
    for (int line = 250; line >= 1; --line) errors.push_back({{"a.yaml", line, 1}, "e" + std::to_string(line)});
    ErrorList included;
    included.push_back({{"b.yaml", 1, 1}, "in b"});
    errors.append(included);
    CHECK(errors.total() == 251);
    auto kept = errors.sorted();
    REQUIRE(kept.size() == kShownConfigErrors);
    CHECK(kept.front().message == "e1");
    CHECK(kept.back().message == "e100");
    ConfigError error(errors);
    CHECK(error.total() == 251);
    CHECK(error.diagnostics().back().message == "151 more errors not shown (the first 100 are above)");

    // Files rank in the order first seen: an included file's errors come after the main file's.
    ErrorList few;
    few.push_back({{"main.yaml", 9, 1}, "main"});
    few.append(included);
    few.push_back({{"main.yaml", 2, 1}, "main earlier"});
    auto order = few.sorted();
    REQUIRE(order.size() == 3);
    CHECK(order[0].message == "main earlier");
    CHECK(order[2].message == "in b");
}

TEST_CASE("a config file that changes while it is read is read again") {
    auto path = std::filesystem::temp_directory_path() / ("tend-changing-" + std::to_string(getpid()) + ".yaml");
    // The first half of what its writer will write, as a reader that came too early sees it.
    const std::string first_half = "services:\n  web:\n    command: x\n    user: nobody\n";
    std::ofstream(path) << first_half;
    int lookups = 0;
    // Called once the file has been read: the writer finishes then, in the middle of the read.
    auto writer_finishes = [&](const std::string& user, const std::optional<std::string>& group) {
        if (++lookups == 1) std::ofstream(path, std::ios::app) << "  worker:\n    command: y\n";
        return fake_credentials(user, group);
    };
    Config c = load_config_file(path.string(), writer_finishes);
    REQUIRE(c.services.size() == 2);
    CHECK(c.services[1].name == "worker");
    CHECK(lookups == 2);
    std::filesystem::remove(path);
}

TEST_CASE("a config file that keeps changing while it is read is an error saying so") {
    auto path = std::filesystem::temp_directory_path() / ("tend-changing-" + std::to_string(getpid()) + ".yaml");
    std::ofstream(path) << "services:\n  web:\n    command: x\n    user: nobody\n";
    int lookups = 0;
    auto always_writing = [&](const std::string& user, const std::optional<std::string>& group) {
        std::ofstream(path, std::ios::app) << "# " << ++lookups << "\n";
        return fake_credentials(user, group);
    };
    try {
        load_config_file(path.string(), always_writing);
        FAIL("a file that never stays the same must not load");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == path.string() +
                                           ": cannot read config: the file kept changing while it was read (5 tries); "
                                           "write it elsewhere and rename it into place");
    }
    CHECK(lookups == 5);
    std::filesystem::remove(path);
}

}  // namespace unit_config_loader_test
