// tendctl's reader of a `status` reply: the fields the table shows, taken as
// the text streams by. A reply from a newer or a lying tend must neither crash
// it nor be half-believed: unknown members are skipped whatever they hold,
// values of the wrong type are left out, and text that is not one JSON object
// is refused.
#include "tend/cli/status_reply.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace unit_status_reply_test {

using namespace tend;

TEST_CASE("a status reply's rows carry every field the table shows") {
    const std::string line = R"({"ok":true,"result":[
      {"blocked_reason":null,"fatal_reason":null,"health":"unhealthy",
       "health_check":{"checked_ago":3.2,"failures":2,"output":"HTTP 503","retries":3,"took":0.012},
       "job":{"last":{"result":"completed","seconds":1.25,"started":"2026-12-05T02:30:00+01:00"},
              "next":"2026-12-05T02:35:00+01:00","next_in":299},
       "last_exit":{"code":3},"name":"api","pid":42,"restarts":7,"state":"running",
       "status_text":"Ready","stopped_by_operator":false,"uptime":61.5,"waiting":null,"want":"up"},
      {"last_exit":{"signal":"SIGKILL"},"name":"db","pid":null,"state":"stopped","stopped_by_operator":true,
       "uptime":null,"waiting":"waiting for disk","blocked_reason":"blocked","fatal_reason":"gave up"}]})";
    StatusReply reply = read_status_reply(line);
    REQUIRE(reply.ok);
    REQUIRE(reply.rows.size() == 2);
    const StatusRow& api = reply.rows[0];
    CHECK(api.name == "api");
    CHECK(api.state == "running");
    CHECK(api.pid == 42);
    CHECK(api.uptime == 61.5);
    CHECK(api.restarts == 7);
    REQUIRE(api.last_exit);
    CHECK(api.last_exit->code == 3);
    CHECK(api.last_exit->signal.empty());
    CHECK_FALSE(api.blocked_reason);
    CHECK_FALSE(api.waiting);
    CHECK_FALSE(api.fatal_reason);
    CHECK(api.status_text == "Ready");
    CHECK(api.health == "unhealthy");
    REQUIRE(api.health_check);
    CHECK(api.health_check->failures == 2);
    CHECK(api.health_check->retries == 3);
    CHECK(api.health_check->output == "HTTP 503");
    CHECK(api.health_check->took == 0.012);
    CHECK(api.health_check->checked_ago == 3.2);
    REQUIRE(api.job);
    CHECK(api.job->next == "2026-12-05T02:35:00+01:00");
    CHECK(api.job->next_in == 299.0);
    REQUIRE(api.job->last);
    CHECK(api.job->last->result == "completed");
    CHECK(api.job->last->seconds == 1.25);
    CHECK(api.job->last->started == "2026-12-05T02:30:00+01:00");
    CHECK_FALSE(api.stopped_by_operator);
    const StatusRow& db = reply.rows[1];
    CHECK_FALSE(db.pid);
    CHECK_FALSE(db.uptime);
    REQUIRE(db.last_exit);
    CHECK(db.last_exit->signal == "SIGKILL");
    CHECK(db.waiting == "waiting for disk");
    CHECK(db.blocked_reason == "blocked");
    CHECK(db.fatal_reason == "gave up");
    CHECK(db.stopped_by_operator);
    CHECK_FALSE(db.health_check);
    CHECK_FALSE(db.job);
}

TEST_CASE("a refused status request gives its error, and an empty table no rows") {
    StatusReply refused = read_status_reply(R"x({"ok":false,"error":"no service named 'x' (did you mean 'y'?)"})x");
    CHECK_FALSE(refused.ok);
    CHECK(refused.error == "no service named 'x' (did you mean 'y'?)");
    StatusReply empty = read_status_reply(R"({"ok":true,"result":[]})");
    CHECK(empty.ok);
    CHECK(empty.rows.empty());
}

TEST_CASE("members the reader does not know are skipped whatever they hold") {
    StatusReply reply = read_status_reply(R"({"extra":{"result":[{"name":"decoy"}]},"ok":true,"later":[1,[2,{"ok":false}]],
      "result":[{"cgroup":{"path":"/a","pids":[1,2,{"name":"decoy"}]},"name":"web","labels":["a",{"state":"x"}],
                 "state":"running","health_check":{"history":[{"failures":9}],"failures":1,"new":{"retries":5}},
                 "job":{"runs":[{"last":{"result":"decoy"}}],"last":{"extra":[null],"result":"failed"}}},
                3, "text", null, [{"name":"nested"}]],
      "error":"ignored when ok"})");
    CHECK(reply.ok);
    REQUIRE(reply.rows.size() == 1);
    CHECK(reply.rows[0].name == "web");
    CHECK(reply.rows[0].state == "running");
    REQUIRE(reply.rows[0].health_check);
    CHECK(reply.rows[0].health_check->failures == 1);
    CHECK(reply.rows[0].health_check->retries == 0);
    REQUIRE(reply.rows[0].job);
    REQUIRE(reply.rows[0].job->last);
    CHECK(reply.rows[0].job->last->result == "failed");
}

TEST_CASE("values of the wrong type are left out, not misread") {
    StatusReply reply = read_status_reply(R"({"ok":"yes","result":[{"name":7,"state":["running"],"pid":"42","uptime":"long",
      "restarts":1.5,"stopped_by_operator":1,"waiting":false,"health":3,"last_exit":{"code":"1","signal":9}}]})");
    CHECK_FALSE(reply.ok);  // "yes" is not true
    REQUIRE(reply.rows.size() == 1);
    const StatusRow& row = reply.rows[0];
    CHECK(row.name.empty());
    CHECK(row.state.empty());
    CHECK_FALSE(row.pid);
    CHECK_FALSE(row.uptime);
    CHECK(row.restarts == 0);
    CHECK_FALSE(row.stopped_by_operator);
    CHECK_FALSE(row.waiting);
    CHECK_FALSE(row.health);
    REQUIRE(row.last_exit);
    CHECK(row.last_exit->code == 0);
    CHECK(row.last_exit->signal.empty());
    // A pid past what a long long holds is the largest, not a wrapped negative.
    StatusReply huge = read_status_reply(R"({"ok":true,"result":[{"pid":18446744073709551615}]})");
    CHECK(huge.rows.at(0).pid == INT64_MAX);
}

TEST_CASE("text that is not one JSON object is refused") {
    for (const char* bad : {"", "null", "[]", "\"ok\"", "42", "{\"ok\":true,\"result\":[", "{\"ok\":true}{}", "{ok:true}",
                            "{\"ok\":true,\"result\":[{\"name\":\"a\"}]", "{\"ok\":tru}", "\xff\xfe"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(read_status_reply(bad), std::runtime_error);
    }
}

TEST_CASE("deeply nested or huge replies are read without recursion and in full") {
    // 100,000 nested arrays in an unknown member: the reader's own stack is a vector.
    std::string deep = R"({"ok":true,"deep":)" + std::string(100000, '[') + std::string(100000, ']') + R"(,"result":[{"name":"a"}]})";
    StatusReply reply = read_status_reply(deep);
    CHECK(reply.ok);
    REQUIRE(reply.rows.size() == 1);
    CHECK(reply.rows[0].name == "a");
    // 5,000 services, each name as sent.
    nlohmann::json services = nlohmann::json::array();
    for (int i = 0; i < 5000; ++i) services.push_back({{"name", "s" + std::to_string(i)}, {"state", "running"}, {"pid", i + 2}});
    StatusReply many = read_status_reply(nlohmann::json{{"ok", true}, {"result", services}}.dump());
    REQUIRE(many.rows.size() == 5000);
    CHECK(many.rows[4999].name == "s4999");
    CHECK(many.rows[4999].pid == 5001);
}

}  // namespace unit_status_reply_test
