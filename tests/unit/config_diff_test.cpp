#include <doctest/doctest.h>

#include "tend/config/config_diff.hpp"
#include "fake_credentials.hpp"
#include "tend/config/config_loader.hpp"

namespace unit_config_diff_test {

using namespace tend;

namespace {

ConfigDiff diff_of(const std::string& before, const std::string& after) {
    Config old = parse_config(before, "old.yaml", fake_credentials);
    return diff_configs(old.settings, old.services, parse_config(after, "new.yaml", fake_credentials));
}

const ServiceDiff& find(const ConfigDiff& diff, const std::string& name) {
    for (const auto& d : diff.services)
        if (d.name == name) return d;
    FAIL("no entry for " << name);
    throw std::logic_error("unreachable");
}

const std::string kBase = R"(
services:
  db:
    command: [postgres, -D, /data]
    environment: {PGPORT: "5432"}
  web:
    command: nginx
    depends_on: [db]
)";

}  // namespace

TEST_CASE("an identical config changes nothing, even when it is laid out differently") {
    ConfigDiff diff = diff_of(kBase, R"(
# a comment, reordered keys and flow style: the same effective definitions
services:
  db: {environment: {PGPORT: "5432"}, command: [postgres, -D, /data], restart: on-failure}
  web:
    depends_on: {db: started}
    command: nginx
)");
    CHECK(diff.empty());
    REQUIRE(diff.services.size() == 2);
    CHECK(describe(diff.services[0]) == "= db");
    CHECK(describe(diff.services[1]) == "= web");
}

TEST_CASE("added and removed services") {
    ConfigDiff diff = diff_of(kBase, R"(
services:
  db: {command: [postgres, -D, /data], environment: {PGPORT: "5432"}}
  worker: {command: work}
)");
    CHECK(find(diff, "worker").change == ServiceChange::added);
    CHECK(describe(find(diff, "worker")) == "+ worker");
    CHECK(find(diff, "web").change == ServiceChange::removed);
    CHECK(describe(find(diff, "web")) == "- web");
    CHECK(find(diff, "db").change == ServiceChange::unchanged);
    CHECK_FALSE(diff.empty());
}

TEST_CASE("a rename is a removal and an addition") {
    ConfigDiff diff = diff_of(kBase, R"(
services:
  db: {command: [postgres, -D, /data], environment: {PGPORT: "5432"}}
  frontend: {command: nginx, depends_on: [db]}
)");
    CHECK(find(diff, "frontend").change == ServiceChange::added);
    CHECK(find(diff, "web").change == ServiceChange::removed);
}

TEST_CASE("each field that shapes the process restarts the service") {
    struct Case {
        const char* key;
        const char* yaml;
    };
    const Case cases[] = {
        {"command", "command: [postgres, -D, /other]"},
        {"user", "user: '0'"},
        {"working_dir", "working_dir: /tmp"},
        {"environment", "environment: {PGPORT: \"5433\"}"},
        {"output", "output: null"},
        {"log_file", "log_file: /tmp/db.log"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.key);
        std::string after = "services:\n  db:\n    command: [postgres, -D, /data]\n    environment: {PGPORT: \"5432\"}\n";
        std::string line = c.yaml;
        // the edited key replaces the base one when both name the same key
        if (line.starts_with("command")) after = "services:\n  db:\n    environment: {PGPORT: \"5432\"}\n";
        if (line.starts_with("environment")) after = "services:\n  db:\n    command: [postgres, -D, /data]\n";
        after += "    " + line + "\n  web: {command: nginx, depends_on: [db]}\n";
        ConfigDiff diff = diff_of(kBase, after);
        const ServiceDiff& db = find(diff, "db");
        CHECK(db.change == ServiceChange::restarted);
        REQUIRE_FALSE(db.fields.empty());
        CHECK(db.fields.front() == c.key);  // a user brings its group along: "user, group"
        CHECK(describe(db).starts_with(std::string("~ db (") + c.key));
        CHECK(find(diff, "web").change == ServiceChange::unchanged);
    }
}

TEST_CASE("fields that only steer supervision apply in place") {
    const char* edits[] = {"autostart: false",      "restart: always",     "success_exit_codes: [0, 3]",
                           "min_uptime: 5s",        "max_restarts: -1",    "backoff: {initial: 1s}",
                           "stop_signal: INT",      "stop_timeout: 2s",    "kill_mode: process",
                           "critical: true",        "depends_on: []",
                           "log_max_size: 1MiB",    "log_keep: 5",         "log_buffer_lines: 10",
                           "forward_signals: [USR1]"};
    for (const char* edit : edits) {
        CAPTURE(edit);
        std::string after = std::string("services:\n  db:\n    command: [postgres, -D, /data]\n"
                                        "    environment: {PGPORT: \"5432\"}\n  web:\n    command: nginx\n") +
                            (std::string(edit).starts_with("depends_on") ? "" : "    depends_on: [db]\n") + "    " +
                            edit + "\n";
        ConfigDiff diff = diff_of(kBase, after);
        const ServiceDiff& web = find(diff, "web");
        CHECK(web.change == ServiceChange::updated);
        REQUIRE(web.fields.size() == 1);
        std::string key = std::string(edit).substr(0, std::string(edit).find(':'));
        CHECK(web.fields.front() == key);
        CHECK(describe(web) == "~ web (" + key + " changed, applied in place)");
    }
}

TEST_CASE("one restart field among in-place ones restarts, and every changed key is listed") {
    ConfigDiff diff = diff_of(kBase, R"(
services:
  db: {command: [postgres, -D, /data], environment: {PGPORT: "5432"}}
  web: {command: nginx -g x, depends_on: [db], stop_timeout: 1s}
)");
    const ServiceDiff& web = find(diff, "web");
    CHECK(web.change == ServiceChange::restarted);
    CHECK(web.fields == std::vector<std::string>{"command", "stop_timeout"});
}

TEST_CASE("a new group alone restarts and is named as such") {
    ConfigDiff diff = diff_of("services:\n  a: {command: x, user: '0', group: '0'}\n",
                              "services:\n  a: {command: x, user: '0', group: '1'}\n");
    CHECK(describe(diff.services.at(0)) == "~ a (group changed)");
}

TEST_CASE("dependency changes: a new dependency and a changed one are in-place updates") {
    ConfigDiff diff = diff_of(kBase, R"(
services:
  db: {command: [postgres, -D, /data], environment: {PGPORT: "5432"}, depends_on: [cache]}
  cache: {command: redis-server}
  web: {command: nginx, depends_on: [cache]}
)");
    CHECK(find(diff, "cache").change == ServiceChange::added);
    CHECK(find(diff, "db").change == ServiceChange::updated);
    CHECK(find(diff, "db").fields == std::vector<std::string>{"depends_on"});
    CHECK(find(diff, "web").fields == std::vector<std::string>{"depends_on"});
}

TEST_CASE("settings changes are listed with old and new values") {
    ConfigDiff diff = diff_of("settings: {log_level: info}\n" + kBase,
                              "settings: {log_level: debug, shutdown_timeout: 5s, control_socket: /tmp/x.sock}\n" + kBase);
    REQUIRE(diff.settings.size() == 3);
    CHECK(diff.settings[0].key == "control_socket");
    CHECK(diff.settings[0].to == "/tmp/x.sock");
    CHECK(diff.settings[1].key == "shutdown_timeout");
    CHECK(describe(diff.settings[2]) == "~ settings.log_level (info -> debug)");
    CHECK_FALSE(diff.empty());
}

TEST_CASE("the restart keys are the process-shaping ones") {
    CHECK(restart_keys() == std::vector<std::string>{"command", "type", "user", "group", "working_dir", "environment", "env_file", "umask",
                                                     "limits", "no_new_privileges",
                                                     "ready", "output", "log_file"});
}

}  // namespace unit_config_diff_test
