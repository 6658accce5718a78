#include "tend/util/json_scanner.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace unit_json_scanner_test {

using tend::JsonEvents;
using tend::scan_json;

namespace {

// Writes each event as a short token, so a test reads the whole walk at once.
class Recorder final : public JsonEvents {
public:
    std::string seen;
    bool null() override { return add("null"); }
    bool boolean(bool v) override { return add(v ? "true" : "false"); }
    bool integer(std::int64_t v) override { return add("i" + std::to_string(v)); }
    bool unsigned_integer(std::uint64_t v) override { return add("u" + std::to_string(v)); }
    bool number(double v) override { return add("d" + std::to_string(v)); }
    bool string(std::string& v) override { return add("s:" + v); }
    bool key(std::string& v) override { return add("k:" + v); }
    bool start_object() override { return add("{"); }
    bool end_object() override { return add("}"); }
    bool start_array() override { return add("["); }
    bool end_array() override { return add("]"); }

private:
    bool add(const std::string& token) {
        if (!seen.empty()) seen += ' ';
        seen += token;
        return true;
    }
};

std::string walk(std::string_view text) {
    Recorder r;
    if (!scan_json(text, r)) return "refused";
    return r.seen;
}

}  // namespace

TEST_CASE("every kind of value is reported in order") {
    CHECK(walk(R"( {"a":[1,-2,3.5,true,false,null,"x"],"b":{},"c":[]} )") ==
          "{ k:a [ i1 i-2 d3.500000 true false null s:x ] k:b { } k:c [ ] }");
    CHECK(walk("42") == "i42");
    CHECK(walk("\"\"") == "s:");
    CHECK(walk("[[[]]]") == "[ [ [ ] ] ]");
    CHECK(walk("\xEF\xBB\xBF{}") == "{ }");  // a byte order mark before the value
}

TEST_CASE("numbers keep JSON's grammar and their width") {
    CHECK(walk("-0") == "i0");
    CHECK(walk("9223372036854775807") == "i9223372036854775807");
    CHECK(walk("9223372036854775808") == "u9223372036854775808");
    CHECK(walk("18446744073709551616") == "d18446744073709551616.000000");
    CHECK(walk("-9223372036854775809") == "d-9223372036854775808.000000");
    CHECK(walk("1e2") == "d100.000000");
    CHECK(walk("1E-2") == "d0.010000");
    CHECK(walk("1e-400") == "d0.000000");  // too small is zero
    for (const char* bad : {"01", "1.", ".5", "+1", "1e", "1e+", "-", "--1", "0x10", "1e500", "-1e500", "NaN", "Infinity"}) {
        CAPTURE(bad);
        CHECK(walk(bad) == "refused");
    }
}

TEST_CASE("strings are decoded: escapes, surrogate pairs, UTF-8 as it is") {
    CHECK(walk(R"("a\"b\\c\/d\b\f\n\r\t")") == "s:a\"b\\c/d\b\f\n\r\t");
    CHECK(walk(R"("\u00e9\u20AC\ud83d\ude00")") == "s:\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(walk("\"\xC3\xA9\xF0\x9F\x98\x80\"") == "s:\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(walk(R"("\u0000")") == std::string("s:") + '\0');
    for (const char* bad : {R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\x")", R"("\u12")", R"("\u12g4")",
                            "\"a", "\"\t\"", "\"\x01\"", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
                            "\"\xFF\""}) {
        CAPTURE(bad);
        CHECK(walk(bad) == "refused");
    }
}

TEST_CASE("text that is not one value is refused") {
    for (const char* bad : {"", " ", "{", "}", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}",
                            "{\"a\":1 \"b\":2}", "{}{}", "{} x", "tru", "nul", "truex", "[1]]", "\xEF\xBB{}", "{'a':1}",
                            "/* c */ {}"}) {
        CAPTURE(bad);
        CHECK(walk(bad) == "refused");
    }
    CHECK(walk(std::string("[1]\0", 4)) == "refused");  // a NUL after the value is not the end
}

TEST_CASE("a handler that refuses an event stops the reading") {
    struct StopAtKey final : JsonEvents {
        int events = 0;
        bool integer(std::int64_t) override { return ++events, true; }
        bool key(std::string&) override { return false; }
        bool start_object() override { return ++events, true; }
        bool start_array() override { return ++events, true; }
    } stop;
    CHECK_FALSE(scan_json(R"([1, {"a": 2}, 3])", stop));
    CHECK(stop.events == 3);  // [, 1, {: nothing after the refused key
}

TEST_CASE("deep nesting and long text are read without recursion") {
    std::string deep = std::string(200000, '[') + std::string(200000, ']');
    Recorder r;
    CHECK(scan_json(deep, r));
    CHECK(walk(std::string(200000, '[') + std::string(199999, ']')) == "refused");
    std::string long_text = "\"" + std::string(1 << 20, 'x') + "\"";
    CHECK(walk(long_text).size() == 2 + (1u << 20));
}

TEST_CASE("it accepts exactly what nlohmann::json accepts") {
    // The cases above and some of both kinds, judged by both readers.
    for (const char* text : {"{}", "[]", " [ 1 , 2 ] ", "{\"a\":{\"b\":[{}]}}", "1.5e+3", "-0.0", "\"\\u00e9\"", "[1,]",
                             "{\"a\":1,}", "\"\\ud800\"", "01", "1e500", "1e-500", "\xEF\xBB\xBF[]", "\"\xC3\"", "[\"\x7F\"]",
                             "\"\xF0\x90\x80\x80\"", "tRue", "[1e2,2E-1,0.5,-1]", "{\"\":\"\"}", "\"\\/\""}) {
        CAPTURE(text);
        Recorder r;
        CHECK(scan_json(text, r) == nlohmann::json::accept(text));
    }
}

}  // namespace unit_json_scanner_test
