#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>

#include "tend/util/json_string.hpp"

namespace unit_json_string_test {

using namespace tend;

namespace {

std::string as_json(std::string_view bytes) {
    std::string out;
    append_json_string(out, bytes);
    return out;
}

}  // namespace

TEST_CASE("plain text is quoted as is; quotes, backslashes and control bytes are escaped") {
    CHECK(as_json("GET / 200") == "\"GET / 200\"");
    CHECK(as_json("say \"hi\" \\o/") == R"("say \"hi\" \\o/")");
    CHECK(as_json(std::string("a\nb\tc\rd\x01\x1f\b\f", 11)) == R"("a\nb\tc\rd\u0001\u001f\b\f")");
    CHECK(as_json(std::string("\0", 1)) == R"("\u0000")");
    CHECK(as_json("") == "\"\"");
}

TEST_CASE("valid UTF-8 passes through; each stray byte becomes U+FFFD") {
    CHECK(as_json("héllo € 𝄞") == "\"héllo € 𝄞\"");
    CHECK(as_json("a\xff" "b") == "\"a\xEF\xBF\xBD" "b\"");
    CHECK(as_json("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");          // overlong '/'
    CHECK(as_json("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate
    CHECK(as_json("\xE2\x82") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");          // cut short
}

TEST_CASE("any bytes make a JSON string that parses, and UTF-8 text comes back exactly") {
    std::mt19937 rng(7);
    for (int round = 0; round < 2000; ++round) {
        std::string bytes(rng() % 40, '\0');
        for (char& c : bytes) c = static_cast<char>(rng() % 256);
        std::string text = as_json(bytes);
        auto parsed = nlohmann::json::parse(text, nullptr, false);
        REQUIRE_FALSE(parsed.is_discarded());
        // Same result as nlohmann's own replacing serializer whenever the input is valid UTF-8.
        std::string reference;
        try {
            reference = nlohmann::json(bytes).dump();
        } catch (const nlohmann::json::type_error&) {
            continue;  // not UTF-8: only parsing is required
        }
        CHECK(text == reference);
        CHECK(parsed.get<std::string>() == bytes);
    }
}

TEST_CASE("a byte that needs escaping is found at any place in a long run of plain text") {
    // The plain parts are tested eight bytes at a time: put each kind of byte at each place of three words.
    const std::string plain(24, 'a');
    for (const std::string& special : {std::string(1, '\0'), std::string("\x1f"), std::string("\""), std::string("\\"),
                                      std::string("\x7f"), std::string("\xC3\xA9"), std::string("\xE2\x82\xAC"),
                                      std::string(" ")}) {
        for (std::size_t at = 0; at + special.size() <= plain.size(); ++at) {
            std::string bytes = plain;
            bytes.replace(at, special.size(), special);
            CAPTURE(at);
            CHECK(as_json(bytes) == nlohmann::json(bytes).dump());
        }
    }
    for (std::size_t at = 0; at < plain.size(); ++at) {
        std::string bytes = plain;
        bytes[at] = '\xff';
        CHECK(as_json(bytes) == "\"" + plain.substr(0, at) + "\xEF\xBF\xBD" + plain.substr(at + 1) + "\"");
    }
}

}  // namespace unit_json_string_test
