#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "config_errors.hpp"
#include "tend/config/listen_address.hpp"

namespace unit_listen_address_test {

using namespace tend;

namespace {

ListenAddress address(const std::string& text) {
    auto parsed = parse_listen_address(text);
    if (auto* error = std::get_if<std::string>(&parsed)) FAIL(*error);
    return std::get<ListenAddress>(parsed);
}

std::string error(const std::string& text) {
    auto parsed = parse_listen_address(text);
    auto* said = std::get_if<std::string>(&parsed);
    return said ? *said : "(no error)";
}

}  // namespace

TEST_CASE("a listen address is an IP address and port, localhost, or unix:/PATH; loopback ones are told apart") {
    CHECK(address("127.0.0.1:9001").to_string() == "127.0.0.1:9001");
    CHECK(address("127.0.0.1:9001").loopback());
    CHECK(address("127.1.2.3:80").loopback());
    CHECK(address("localhost:9001").to_string() == "127.0.0.1:9001");
    CHECK(address("[::1]:9001").loopback());
    CHECK(address("[::1]:9001").to_string() == "[::1]:9001");
    CHECK_FALSE(address("0.0.0.0:9001").loopback());
    CHECK_FALSE(address("[::]:9001").loopback());
    CHECK_FALSE(address("10.0.0.5:9001").loopback());
    CHECK(address("unix:/run/tend-http.sock").loopback());
    CHECK(address("unix:/run/tend-http.sock").path == "/run/tend-http.sock");
}

TEST_CASE("a listen address that is not one says what it must be") {
    const std::string form =
        "must be HOST:PORT with HOST an IP address or localhost (127.0.0.1:9001, [::1]:9001), or unix:/PATH";
    CHECK(error("9001") == form);
    CHECK(error("example.com:80") == form);
    CHECK(error("::1:80") == form);
    CHECK(error("127.0.0.1:0") == "the port must be a number from 1 to 65535 (" + form + ")");
    CHECK(error("127.0.0.1:65536") == "the port must be a number from 1 to 65535 (" + form + ")");
    CHECK(error("127.0.0.1:http") == "the port must be a number from 1 to 65535 (" + form + ")");
    CHECK(error("unix:run/x.sock") == "unix: needs an absolute path (unix:/run/tend-http.sock)");
}

TEST_CASE("settings.http errors are reported at their place") {
    const std::string services = "services:\n  a:\n    command: [x]\n";
    CHECK(test::errors_of("settings:\n  http: {listen: \"0.0.0.0:9001\"}\n" + services) ==
          "t.yaml:2:18: settings.http.listen: 0.0.0.0:9001 is reachable from other hosts: give user and password_file");
    CHECK(test::errors_of("settings:\n  http: {user: prom}\n" + services) ==
          "t.yaml:2:9: settings.http: listen is required (127.0.0.1:9001 or unix:/PATH)");
    CHECK(test::errors_of("settings:\n  http: {listen: \"127.0.0.1:9001\", user: prom}\n" + services) ==
          "t.yaml:2:9: settings.http: user and password_file go together");
    CHECK(test::errors_of("settings:\n  http: {listen: \"0.0.0.0:9001\", user: u, password_file: pw}\n" + services) ==
          "t.yaml:2:58: settings.http.password_file: must be an absolute path");
    CHECK(test::errors_of("settings:\n  http: {listen: nowhere, lisen: x}\n" + services).find("unknown key 'lisen'") !=
          std::string::npos);
    CHECK(test::errors_of("settings:\n  http: {listen: \"0.0.0.0:9001\", user: u, password_file: /pw}\n" + services) ==
          "(no error)");
}

}  // namespace unit_listen_address_test
