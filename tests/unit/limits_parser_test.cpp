#include <doctest/doctest.h>

#include "tend/config/config_loader.hpp"
#include "tend/config/limits_parser.hpp"

namespace unit_limits_parser_test {

using namespace tend;

namespace {

ServiceSpec with(const std::string& keys) {
    return parse_config("services:\n  web:\n    command: x\n" + keys, "t.yaml").services.front();
}

std::string error_of(const std::string& keys) {
    try {
        with(keys);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("umask is octal however it is written") {
    CHECK(with("    umask: \"0027\"\n").umask == 027);
    CHECK(with("    umask: 0077\n").umask == 077);
    CHECK(with("    umask: 22\n").umask == 022);
    CHECK(with("    umask: '0'\n").umask == 0);
    CHECK(with("").umask == -1);
}

TEST_CASE("a umask that is not an octal mode is an error at its place") {
    CHECK(error_of("    umask: 0800\n") ==
          "t.yaml:4:12: services.web.umask: expected an octal mode from 0000 to 0777, e.g. 0027, got '0800'");
    CHECK(error_of("    umask: 01777\n").find("got '01777'") != std::string::npos);
    // Found by the import fuzz target: the digits were summed past int before the length was looked at.
    CHECK(error_of("    umask: \"77777777777777777777\"\n").find("got '77777777777777777777'") != std::string::npos);
    CHECK(error_of("    umask: u=rwx\n").find("expected an octal mode") != std::string::npos);
    CHECK(error_of("    umask: [1]\n").find("services.web.umask") != std::string::npos);
}

TEST_CASE("limits take counts, sizes, unlimited, SOFT:HARD and {soft, hard}") {
    const ServiceSpec s = with(
        "    limits:\n"
        "      nofile: 1024\n"
        "      core: 0\n"
        "      nproc: '100:200'\n"
        "      memlock: {soft: 64KiB, hard: unlimited}\n"
        "      stack: {hard: 8MiB}\n"
        "      cpu: infinity\n");
    REQUIRE(s.limits.size() == 6);
    CHECK(s.limits[0] == ResourceLimit{RLIMIT_NOFILE, 1024, 1024});
    CHECK(s.limits[1] == ResourceLimit{RLIMIT_CORE, 0, 0});
    CHECK(s.limits[2] == ResourceLimit{RLIMIT_NPROC, 100, 200});
    CHECK(s.limits[3] == ResourceLimit{RLIMIT_MEMLOCK, 64 * 1024, RLIM_INFINITY});
    CHECK(s.limits[4] == ResourceLimit{RLIMIT_STACK, 8 * 1024 * 1024, 8 * 1024 * 1024});
    CHECK(s.limits[5] == ResourceLimit{RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY});
    CHECK(format_limit(s.limits[2]) == "100:200");
    CHECK(format_limit(s.limits[5]) == "unlimited");
}

TEST_CASE("bad limits are named with the limit and the place") {
    CHECK(error_of("    limits: {openfiles: 10}\n").find("services.web.limits: unknown limit 'openfiles' (known: as, core,") !=
          std::string::npos);
    CHECK(error_of("    limits: {nofiles: 10}\n").find("did you mean 'nofile'") != std::string::npos);
    CHECK(error_of("    limits: {nofile: 1MiB}\n") ==
          "t.yaml:4:22: services.web.limits.nofile: expected a whole number, unlimited, SOFT:HARD or {soft, hard}, "
          "got '1MiB'");
    CHECK(error_of("    limits: {nofile: '2048:1024'}\n")
              .find("services.web.limits.nofile: the soft limit (2048) is above the hard one (1024)") != std::string::npos);
    CHECK(error_of("    limits: {core: {soft: lots}}\n")
              .find("services.web.limits.core.soft: expected a whole number or a size (64MiB) or unlimited, got 'lots'") !=
          std::string::npos);
    CHECK(error_of("    limits: {core: {sfot: 1}}\n").find("unknown key 'sfot'") != std::string::npos);
    CHECK(error_of("    limits: {nofile: -1}\n").find("got '-1'") != std::string::npos);
    CHECK(error_of("    limits: [nofile]\n").find("services.web.limits: expected a map") != std::string::npos);
    CHECK(error_of("    no_new_privileges: maybe\n").find("services.web.no_new_privileges") != std::string::npos);
}

}  // namespace unit_limits_parser_test
