#include <doctest/doctest.h>

#include <map>
#include <string>

#include "tend/config/interpolation.hpp"

namespace unit_interpolation_test {

using namespace tend;

namespace {

const std::map<std::string, std::string> kVars = {{"HOME", "/root"}, {"EMPTY", ""}, {"PORT", "8080"}, {"B", "bee"}};

std::optional<std::string> from_vars(std::string_view name) {
    auto it = kVars.find(std::string(name));
    if (it == kVars.end()) return std::nullopt;
    return it->second;
}

std::string expand(std::string_view text, InterpolationRules rules = {}) { return interpolate(text, from_vars, rules); }

std::string refusal(std::string_view text, InterpolationRules rules = {}) {
    try {
        expand(text, rules);
    } catch (const InterpolationError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("${VAR} takes the variable's value, and text around it stays") {
    CHECK(expand("${HOME}/data") == "/root/data");
    CHECK(expand("--port=${PORT} --x") == "--port=8080 --x");
    CHECK(expand("${EMPTY}") == "");
    CHECK(expand("no dollars at all") == "no dollars at all");
}

TEST_CASE("a plain $VAR, a lone $ and a $ before other characters are left to the shell") {
    CHECK(expand("echo $HOME $1 $? $@ $(date) a$ $") == "echo $HOME $1 $? $@ $(date) a$ $");
}

TEST_CASE("$$ is one literal $, so $${VAR} reaches the shell as ${VAR}") {
    CHECK(expand("$$") == "$");
    CHECK(expand("$${HOME} $$$$") == "${HOME} $$");
    CHECK(expand("$$$${PORT}") == "$${PORT}");
    CHECK(expand("$$${PORT}") == "$8080");
}

TEST_CASE("the six operators follow compose: colon forms treat empty as unset") {
    CHECK(expand("${NOPE:-d}") == "d");
    CHECK(expand("${EMPTY:-d}") == "d");
    CHECK(expand("${PORT:-d}") == "8080");
    CHECK(expand("${NOPE-d}") == "d");
    CHECK(expand("${EMPTY-d}") == "");
    CHECK(expand("${PORT:+alt}") == "alt");
    CHECK(expand("${EMPTY:+alt}") == "");
    CHECK(expand("${NOPE:+alt}") == "");
    CHECK(expand("${EMPTY+alt}") == "alt");
    CHECK(expand("${NOPE+alt}") == "");
    CHECK(expand("${PORT:?need it}") == "8080");
    CHECK(expand("${EMPTY?need it}") == "");
}

TEST_CASE("defaults may be empty, hold spaces, colons and bare braces as compose pairs them") {
    CHECK(expand("${NOPE:-}") == "");
    CHECK(expand("${NOPE:-a b:c}") == "a b:c");
    CHECK(expand("${NOPE:-{x}}") == "{x}");
    CHECK(expand("${NOPE:-x}}") == "x}");
}

TEST_CASE("defaults nest, and a default not taken may name an unset variable") {
    CHECK(expand("${NOPE:-${B}}") == "bee");
    CHECK(expand("${NOPE:-${ALSO_NOPE:-${PORT}}}/x") == "8080/x");
    CHECK(expand("${PORT:-${NOPE}}") == "8080");
    CHECK(expand("${PORT:+[${B:-z}]}") == "[bee]");
    CHECK(expand("${NOPE:-$${B}}") == "${B}");
}

TEST_CASE("an unset ${VAR} without a default says how to write it for the shell") {
    CHECK(refusal("x ${NOPE} y") ==
          "${NOPE} is not set; give it a default (${NOPE:-value}), or write $${NOPE} to leave it to the service's shell");
    CHECK(refusal("${NOPE:-${ALSO}}").starts_with("${ALSO} is not set"));
}

TEST_CASE("the offset of a refusal is where its ${ starts") {
    try {
        expand("abc ${NOPE}");
        FAIL("no error");
    } catch (const InterpolationError& e) {
        CHECK(e.offset() == 4);
    }
}

TEST_CASE("${VAR:?message} and ${VAR?message} refuse with the message, interpolated") {
    CHECK(refusal("${NOPE:?set the port}") == "NOPE is required: set the port (set and not empty, by ${NOPE:?...})");
    CHECK(refusal("${EMPTY:?for ${PORT}}") == "EMPTY is required: for 8080 (set and not empty, by ${EMPTY:?...})");
    CHECK(refusal("${NOPE?}") == "NOPE is required (set, by ${NOPE?...})");
}

TEST_CASE("malformed ${ forms are refused with what was expected") {
    CHECK(refusal("${}") == "invalid '${}': expected a variable name (letters, digits and '_', not a digit first); "
                            "write $$ for a literal $ (e.g. $${...} for the service's shell)");
    CHECK(refusal("${1}").starts_with("invalid '${1}': expected a variable name"));
    CHECK(refusal("${#HOME}").starts_with("invalid '${#': expected a variable name"));
    CHECK(refusal("${HOME%/}").starts_with("invalid '${HOME%': expected '}' or one of :- - :? ? :+ + after the name"));
    CHECK(refusal("${HOME:0:2}").starts_with("invalid '${HOME:0'"));
    CHECK(refusal("${HOME") == "unterminated '${' (no closing '}')");
    CHECK(refusal("${NOPE:-abc") == "unterminated '${' (no closing '}')");
    CHECK(refusal("${NOPE:-${B:-x}") == "unterminated '${' (no closing '}')");
}

TEST_CASE("env files' rules: a plain $NAME expands too, and unset is empty") {
    InterpolationRules env_file{.plain_names = true, .unset_is_error = false};
    CHECK(expand("$HOME/x ${NOPE}|$NOPE|$1|$$", env_file) == "/root/x ||$1|$");
}

TEST_CASE("adversarial: 100,000 nested ${ is refused at the depth bound, not by the stack") {
    std::string deep;
    for (int i = 0; i < 100'000; ++i) deep += "${NOPE:-";
    CHECK(refusal(deep) == "'${' nested more than 16 levels deep");
    std::string bare(200'000, '$');
    for (std::size_t i = 1; i < bare.size(); i += 2) bare[i] = '{';
    CHECK(refusal(bare).starts_with("invalid '${$"));
}

TEST_CASE("adversarial: 16 levels are fine, 17 are not") {
    std::string ok, too_deep;
    for (int i = 0; i < 16; ++i) ok += "${NOPE:-";
    ok += "x" + std::string(16, '}');
    CHECK(expand(ok) == "x");
    too_deep = "${NOPE:-" + ok + "}";
    CHECK(refusal(too_deep) == "'${' nested more than 16 levels deep");
}

TEST_CASE("adversarial: an unterminated ${ at the end of a long value is refused") {
    CHECK(refusal(std::string(1'000'000, 'a') + "${HOME") == "unterminated '${' (no closing '}')");
}

TEST_CASE("adversarial: 10 MB of $$ is refused for its length, in linear time") {
    std::string dollars(10 * 1024 * 1024, '$');
    CHECK(refusal(dollars) == "longer than 1 MiB once interpolated");
    std::string half(2 * 1024 * 1024, '$');  // 1 MiB of $ once interpolated: just fits
    CHECK(expand(half).size() == 1024 * 1024);
}

TEST_CASE("adversarial: a value that expands hugely is refused at the bound") {
    std::string many;
    for (int i = 0; i < 200'000; ++i) many += "${PORT}";  // 1.4 MB, 800 KB of values
    CHECK(expand(many).size() == 800'000);
    many += many;
    CHECK(refusal(many) == "longer than 1 MiB once interpolated");
}

}  // namespace unit_interpolation_test
