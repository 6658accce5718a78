// The command line `tendctl status` reads without CLI11: exactly the shapes it
// knows, everything else left to CLI11 (nullopt), so no line means one thing
// here and another there.
#include "tend/cli/status_command_line.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

namespace unit_status_command_line_test {

using namespace tend;

namespace {

std::optional<StatusCommandLine> read(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"tendctl"};
    argv.insert(argv.end(), args);
    return read_status_command_line(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("status with names and a socket before or after the command is read") {
    auto plain = read({"status"});
    REQUIRE(plain);
    CHECK_FALSE(plain->socket);
    CHECK(plain->names.empty());
    auto named = read({"-s", "/run/t.sock", "status", "web", "worker-0"});
    REQUIRE(named);
    CHECK(named->socket == "/run/t.sock");
    CHECK(named->names == std::vector<std::string>{"web", "worker-0"});
    auto after = read({"status", "web", "--socket", "/tmp/a b.sock"});
    REQUIRE(after);
    CHECK(after->socket == "/tmp/a b.sock");
    CHECK(after->names == std::vector<std::string>{"web"});
    auto joined = read({"--socket=/x.sock", "status"});
    REQUIRE(joined);
    CHECK(joined->socket == "/x.sock");
}

TEST_CASE("every other command line is left to CLI11") {
    for (auto args : {std::initializer_list<const char*>{}, {"start", "web"}, {"--json", "status"}, {"status", "--json"},
                      {"status", "--help"}, {"-h"}, {"--version"}, {"status", "-x"}, {"status", "--"}, {"-s"},
                      {"status", "-s"}, {"-s", "--json", "status"}, {"-s/x.sock", "status"}, {"-s", "a", "-s", "b", "status"},
                      {"--socket=a", "--socket", "b", "status"}, {"web", "status"}, {"status", "status"}, {"status", ""},
                      {"stat"}, {"STATUS"}}) {
        std::vector<const char*> shown(args);
        CAPTURE(shown.size());
        CHECK_FALSE(read(args));
    }
}

}  // namespace unit_status_command_line_test
