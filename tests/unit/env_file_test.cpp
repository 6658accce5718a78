#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "tend/config/env_file.hpp"

namespace unit_env_file_test {

using namespace tend;

namespace {

std::optional<std::string> outside(std::string_view name) {
    if (name == "FROM_ENV") return std::string("outer");
    if (name == "HOME") return std::string("/root");
    return std::nullopt;
}

std::map<std::string, std::string> parse(std::string_view text) { return parse_env_file(text, outside); }

std::string refusal(std::string_view text) {
    try {
        parse(text);
    } catch (const EnvFileError& e) {
        return std::to_string(e.line()) + ": " + e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("KEY=VALUE lines, blank lines, comments and the export prefix") {
    auto vars = parse("# a comment\n\nA=1\n  export B=two words\nexport\tC=3\n   # indented comment\nD=\n");
    CHECK(vars == std::map<std::string, std::string>{{"A", "1"}, {"B", "two words"}, {"C", "3"}, {"D", ""}});
}

TEST_CASE("an unquoted value is trimmed, and ' #' starts a comment but '#' alone does not") {
    auto vars = parse("A=  val   # comment\nB=val# not a comment\nC=a\\tb\r\n");
    CHECK(vars.at("A") == "val");
    CHECK(vars.at("B") == "val# not a comment");
    CHECK(vars.at("C") == "a\\tb");
}

TEST_CASE("single quotes are literal, double quotes take compose's escapes") {
    auto vars = parse("S='$HOME \\t ${X}'\nT='Let\\'s go!'\nD=\"a\\tb\\nc \\\"q\\\" \\\\ \\$HOME\"\nJ=\"{\\\"hello\\\": \\\"json\\\"}\"\n");
    CHECK(vars.at("S") == "$HOME \\t ${X}");
    CHECK(vars.at("T") == "Let's go!");
    CHECK(vars.at("D") == "a\tb\nc \"q\" \\ $HOME");
    CHECK(vars.at("J") == "{\"hello\": \"json\"}");
}

TEST_CASE("quoted values may span lines, and a comment may follow the closing quote") {
    auto vars = parse("A=\"one\ntwo\" # comment\nB='x # not a comment'\nC=3\n");
    CHECK(vars.at("A") == "one\ntwo");
    CHECK(vars.at("B") == "x # not a comment");
    CHECK(vars.at("C") == "3");
}

TEST_CASE("unquoted and double-quoted values expand variables: the file's earlier keys, then the environment") {
    auto vars = parse("BASE=/srv\nA=$BASE/x\nB=\"${FROM_ENV}-${NOPE:-d}\"\nC=${NOPE}|$$\nBASE=/late\n");
    CHECK(vars.at("A") == "/srv/x");
    CHECK(vars.at("B") == "outer-d");
    CHECK(vars.at("C") == "|$");
    CHECK(vars.at("BASE") == "/late");
}

TEST_CASE("KEY alone takes the environment's value, and is left out when the environment has none") {
    auto vars = parse("FROM_ENV\nNOT_THERE\nexport HOME\n");
    CHECK(vars == std::map<std::string, std::string>{{"FROM_ENV", "outer"}, {"HOME", "/root"}});
}

TEST_CASE("compose's yaml-like KEY: value is read too") {
    CHECK(parse("A: 1\n").at("A") == "1");
}

TEST_CASE("mistakes are refused with their line") {
    CHECK(refusal("A=1\nB=\"open\nC=2\n") == "2: unterminated quoted value (no closing \")");
    CHECK(refusal("A=1\nB C=2\n") == "2: unexpected 'C' in the variable name (expected KEY=VALUE)");
    CHECK(refusal("\n\n=x\n") == "3: unexpected '=' in the variable name (expected KEY=VALUE)");
    CHECK(refusal("A='x' B=2\n") == "1: unexpected text after the closing quote (a comment starts with '#')");
    CHECK(refusal("A=${B:?needed}\n") == "1: B is required: needed (set and not empty, by ${B:?...})");
    CHECK(refusal("A=\"x\\0y\"\n").find("NUL") == std::string::npos);  // \0 is two characters here
}

TEST_CASE("read_env_file names the file, and its line, in every refusal") {
    char path[] = "/tmp/tend-env-file-test-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path) << "A=1\nB='open\n";
    try {
        read_env_file(path, outside);
        FAIL("no error");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == std::string(path) + ":2: unterminated quoted value (no closing ')");
    }
    std::ofstream(path) << std::string(kMaxEnvFileBytes + 1, '#');
    CHECK_THROWS_WITH(read_env_file(path, outside), (std::string(path) + ": larger than 1 MiB").c_str());
    std::remove(path);
    CHECK_THROWS_WITH(read_env_file(path, outside), (std::string(path) + ": No such file or directory").c_str());
}

}  // namespace unit_env_file_test
