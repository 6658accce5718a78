#include <doctest/doctest.h>

#include <string>

#include "tend/control/protocol.hpp"

namespace unit_protocol_test {

using namespace tend;

namespace {

std::string error_of(const std::string& line) {
    auto parsed = parse_request(line);
    if (auto* e = std::get_if<std::string>(&parsed)) return *e;
    return "(parsed)";
}

}  // namespace

TEST_CASE("a well-formed request parses with its arguments") {
    auto parsed = parse_request(R"({"cmd":"status","args":{"names":["web"]}})");
    REQUIRE(std::holds_alternative<Request>(parsed));
    auto& r = std::get<Request>(parsed);
    CHECK(r.cmd == "status");
    CHECK(string_list_arg(r.args, "names") == std::vector<std::string>{"web"});
}

TEST_CASE("args may be left out") {
    auto parsed = parse_request(R"({"cmd":"version"})");
    REQUIRE(std::holds_alternative<Request>(parsed));
    CHECK(std::get<Request>(parsed).args.is_object());
}

TEST_CASE("malformed requests get a precise error and never throw") {
    CHECK(error_of("") == "invalid JSON");
    CHECK(error_of("{\"cmd\":\"status\"") == "invalid JSON");
    CHECK(error_of("[1,2]") == "request must be a JSON object");
    CHECK(error_of("\"status\"") == "request must be a JSON object");
    CHECK(error_of("{}") == "request needs \"cmd\" as a string");
    CHECK(error_of("{\"cmd\":5}") == "request needs \"cmd\" as a string");
    CHECK(error_of("{\"cmd\":\"status\",\"args\":[1]}") == "\"args\" must be an object");
}

TEST_CASE("nesting ten thousand deep is refused before parsing") {
    std::string deep = "{\"cmd\":\"status\",\"args\":{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}}";
    CHECK(error_of(deep) == "request nested too deeply (over 32 levels)");
    // Brackets inside strings do not count.
    std::string quoted = "{\"cmd\":\"status\",\"args\":{\"x\":\"" + std::string(1000, '[') + "\"}}";
    CHECK(error_of(quoted) == "(parsed)");
}

TEST_CASE("a request over 64 KiB is refused") {
    std::string huge = "{\"cmd\":\"status\",\"args\":{\"x\":\"" + std::string(70000, 'a') + "\"}}";
    CHECK(error_of(huge) == "request too large (over 64 KiB)");
}

TEST_CASE("invalid UTF-8 is an error, and replies never carry it raw") {
    CHECK(error_of("{\"cmd\":\"st\xff\xfe\"}") == "invalid JSON");
    std::string reply = encode_error("bad \xff byte");
    CHECK(reply == "{\"error\":\"bad \xEF\xBF\xBD byte\",\"ok\":false}\n");
}

TEST_CASE("argument helpers name the argument whose type is wrong") {
    auto args = nlohmann::json::parse(R"({"names":[1],"timeout":"soon","wait":"yes","signal":3})");
    CHECK_THROWS_WITH_AS(string_list_arg(args, "names"), "argument 'names' must be a list of strings", ArgumentError);
    CHECK_THROWS_WITH_AS(number_arg(args, "timeout", 1), "argument 'timeout' must be a number", ArgumentError);
    CHECK_THROWS_WITH_AS(bool_arg(args, "wait", true), "argument 'wait' must be true or false", ArgumentError);
    CHECK_THROWS_WITH_AS(string_arg(args, "signal", ""), "argument 'signal' must be a string", ArgumentError);
    CHECK(number_arg(args, "missing", 7) == 7);
    CHECK(string_list_arg(nlohmann::json::parse(R"({"names":"web"})"), "names") == std::vector<std::string>{"web"});
}

TEST_CASE("replies are one line of JSON") {
    CHECK(encode_ok({{"a", 1}}) == "{\"ok\":true,\"result\":{\"a\":1}}\n");
    CHECK(encode_error("no such service: x") == "{\"error\":\"no such service: x\",\"ok\":false}\n");
}

}  // namespace unit_protocol_test
