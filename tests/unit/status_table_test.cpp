#include <doctest/doctest.h>

#include "tend/cli/status_table.hpp"

#include <nlohmann/json.hpp>

namespace unit_status_table_test {

using namespace tend;

namespace {

// The table as tendctl prints it from a reply holding these services.
std::string table_of(const nlohmann::json& services, bool colour) {
    StatusReply reply = read_status_reply(nlohmann::json{{"ok", true}, {"result", services}}.dump());
    REQUIRE(reply.ok);
    return format_status_table(reply.rows, colour);
}

}  // namespace

TEST_CASE("uptime prints like supervisorctl") {
    CHECK(format_uptime(5.7) == "0:00:05");
    CHECK(format_uptime(3723) == "1:02:03");
    CHECK(format_uptime(86400 + 3723) == "1 day, 1:02:03");
    CHECK(format_uptime(3 * 86400) == "3 days, 0:00:00");
}

TEST_CASE("the status table aligns names and states and describes each service") {
    auto services = nlohmann::json::parse(R"([
      {"name":"web","state":"running","pid":42,"uptime":3723.2,"restarts":0,"last_exit":null,"fatal_reason":null,"stopped_by_operator":false},
      {"name":"database","state":"fatal","pid":null,"uptime":null,"restarts":5,"last_exit":{"code":1},"fatal_reason":"exit code 1 before min_uptime 1s; gave up after 6 failed starts","stopped_by_operator":false},
      {"name":"job","state":"stopped","pid":null,"uptime":null,"restarts":0,"last_exit":{"signal":"SIGTERM"},"fatal_reason":null,"stopped_by_operator":true}
    ])");
    CHECK(table_of(services, false) ==
          "web       RUNNING   pid 42, uptime 1:02:03\n"
          "database  FATAL     exit code 1 before min_uptime 1s; gave up after 6 failed starts, 5 restarts\n"
          "job       STOPPED   killed by SIGTERM (stopped by operator)\n");
}

TEST_CASE("colour is added only when asked") {
    auto services = nlohmann::json::parse(R"([{"name":"a","state":"running","pid":1,"uptime":1,"restarts":0,"last_exit":null,"fatal_reason":null}])");
    CHECK(table_of(services, true).find("\033[32mRUNNING\033[0m") != std::string::npos);
    CHECK(table_of(services, false).find('\033') == std::string::npos);
}

TEST_CASE("a blocked service shows what it waits for") {
    nlohmann::json services = nlohmann::json::array({{{"name", "app"}, {"state", "blocked"}, {"pid", nullptr},
                                                      {"uptime", nullptr}, {"restarts", 0}, {"last_exit", nullptr},
                                                      {"fatal_reason", nullptr}, {"blocked_reason", "waiting for db: fatal"},
                                                      {"stopped_by_operator", false}}});
    std::string table = table_of(services, false);
    CHECK(table.find("BLOCKED") != std::string::npos);
    CHECK(table.find("waiting for db: fatal") != std::string::npos);
}

TEST_CASE("a service waiting for a dependency that is not ready yet says so and since when") {
    auto services = nlohmann::json::parse(R"json([{"name":"worker","state":"stopped","pid":null,"uptime":null,"restarts":0,
      "last_exit":null,"fatal_reason":null,"blocked_reason":null,"waiting":"waiting for redis: not ready yet (12s)",
      "stopped_by_operator":false}])json");
    std::string table = table_of(services, false);
    CHECK(table.find("STOPPED") != std::string::npos);
    CHECK(table.find("waiting for redis: not ready yet (12s)") != std::string::npos);
}

TEST_CASE("sd_notify's status, the health check and a completed one-shot are shown") {
    auto services = nlohmann::json::parse(R"([
      {"name":"db","state":"running","pid":7,"uptime":5,"restarts":0,"last_exit":null,"fatal_reason":null,
       "status_text":"Ready to accept connections","health":null},
      {"name":"api","state":"running","pid":8,"uptime":5,"restarts":0,"last_exit":null,"fatal_reason":null,
       "status_text":null,"health":"healthy","health_check":{"failures":2,"retries":3,"output":"HTTP 503","took":0.012,"checked_ago":3.2}},
      {"name":"web","state":"running","pid":9,"uptime":5,"restarts":0,"last_exit":null,"fatal_reason":null,
       "status_text":null,"health":"healthy","health_check":{"failures":0,"retries":3,"output":"HTTP 200","took":0.001,"checked_ago":1}},
      {"name":"init","state":"completed","pid":null,"uptime":null,"restarts":0,"last_exit":{"code":0},"fatal_reason":null}
    ])");
    CHECK(table_of(services, false) ==
          "db    RUNNING   pid 7, uptime 0:00:05, \"Ready to accept connections\"\n"
          "api   RUNNING   pid 8, uptime 0:00:05, health: 2 of 3 failed: HTTP 503 (took 12ms, 3s ago)\n"
          "web   RUNNING   pid 9, uptime 0:00:05, health: healthy\n"
          "init  COMPLETED exit code 0\n");
    CHECK(table_of(services, true).find("\033[32mCOMPLETED\033[0m") != std::string::npos);
}

}  // namespace unit_status_table_test
