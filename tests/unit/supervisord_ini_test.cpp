#include <doctest/doctest.h>

#include <stdexcept>

#include "tend/cli/supervisord_ini.hpp"

namespace unit_supervisord_ini_test {

using namespace tend;

TEST_CASE("supervisord's ini: sections, both separators, comments, inline comments and continued values") {
    const IniFile ini = parse_ini(
        "; a comment\n"
        "[program:web]\n"
        "Command = nginx -g 'daemon off;'   ; inline comment\n"
        "# another comment\n"
        "environment=A=\"1\",\n"
        "    B=\"2\"\n"
        "url=http://x/;not-a-comment\n"
        "[group:g]\r\n"
        "programs: web\r\n",
        "s.conf");
    REQUIRE(ini.sections.size() == 2);
    const IniSection& web = ini.sections[0];
    CHECK(web.name == "program:web");
    CHECK(web.line == 2);
    REQUIRE(web.find("command"));
    CHECK(web.find("command")->value == "nginx -g 'daemon off;'");
    CHECK(web.find("environment")->value == "A=\"1\",\nB=\"2\"");
    CHECK(web.find("url")->value == "http://x/;not-a-comment");
    CHECK(ini.sections[1].find("programs")->value == "web");
}

TEST_CASE("a line that is nothing supervisord reads is an error with its file and line") {
    CHECK_THROWS_WITH_AS(parse_ini("[program:a]\ncommand=x\nthis is not an entry\n", "s.conf"),
                         "s.conf:3: expected key = value, got 'this is not an entry'", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_ini("command=x\n", "s.conf"), "s.conf:1: an entry before any [section]: command=x",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_ini("[program:a\n", "s.conf"), "s.conf:1: a section header must end with ']': [program:a",
                         std::runtime_error);
}

}  // namespace unit_supervisord_ini_test
