#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tend/output/line_format.hpp"

namespace unit_line_format_test {

using namespace tend;

namespace {

std::string formatted(const LineView& line, LogFormat format) {
    std::string out;
    format_line(out, line, format);
    return out;
}

const WallClock::time_point kTime = WallClock::time_point(std::chrono::milliseconds(1'700'000'000'123));

}  // namespace

TEST_CASE("text: stdout lines read 'NAME | line', stderr 'NAME ! line', continuations add '+'") {
    CHECK(formatted({1, kTime, "web", OutputStream::out, false, "GET /"}, LogFormat::text) == "web | GET /\n");
    CHECK(formatted({1, kTime, "web", OutputStream::err, false, "oops"}, LogFormat::text) == "web ! oops\n");
    CHECK(formatted({1, kTime, "web", OutputStream::out, true, "rest"}, LogFormat::text) == "web |+ rest\n");
    CHECK(formatted({1, kTime, "web", OutputStream::out, false, ""}, LogFormat::text) == "web | \n");
}

TEST_CASE("json: one object per line with time, service, stream and line") {
    std::string out = formatted({9, kTime, "db", OutputStream::err, false, "say \"hi\""}, LogFormat::json);
    REQUIRE(out.back() == '\n');
    auto object = nlohmann::json::parse(out);
    CHECK(object["time"] == "2023-11-14T22:13:20.123Z");
    CHECK(object["service"] == "db");
    CHECK(object["stream"] == "stderr");
    CHECK(object["line"] == "say \"hi\"");
    CHECK_FALSE(object.contains("continued"));
    CHECK_FALSE(object.contains("seq"));
}

TEST_CASE("json: bytes that are not UTF-8 still make valid JSON") {
    std::string out = formatted({1, kTime, "bin", OutputStream::out, true, std::string("a\xff\x00z", 4)}, LogFormat::json);
    auto object = nlohmann::json::parse(out);
    CHECK(object["line"].get<std::string>() == std::string("a\xEF\xBF\xBD\0z", 6));  // U+FFFD for the stray byte
    CHECK(object["continued"] == true);
}

TEST_CASE("the protocol form carries the sequence") {
    auto object = line_to_json({42, kTime, "web", OutputStream::out, false, "x"});
    CHECK(object["seq"] == 42);
    CHECK(object["stream"] == "stdout");
}

TEST_CASE("the directly written object and the json value are the same object") {
    for (bool continued : {false, true})
        for (auto stream : {OutputStream::out, OutputStream::err}) {
            const std::string text("a\tb\xff\0", 5);  // outlives the view on it
            LineView line{42, kTime, "w\"eb", stream, continued, text};
            std::string direct;
            append_line_object(direct, line, true);
            CHECK(nlohmann::json::parse(direct) == nlohmann::json::parse(line_to_json(line).dump(
                                                       -1, ' ', false, nlohmann::json::error_handler_t::replace)));
        }
}

}  // namespace unit_line_format_test
