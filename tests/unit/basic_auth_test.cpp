#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tend/http/basic_auth.hpp"

namespace unit_basic_auth_test {

using namespace tend;

namespace {

std::string password_file(const std::string& content) {
    char path[] = "/tmp/tend-password-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path) << content;
    return path;
}

}  // namespace

TEST_CASE("credentials match only when both the user and the password are equal") {
    HttpCredentials expected{"prom", "s3cret"};
    CHECK(credentials_match("prom", "s3cret", expected));
    CHECK_FALSE(credentials_match("prom", "s3cre", expected));
    CHECK_FALSE(credentials_match("prom", "s3cret!", expected));
    CHECK_FALSE(credentials_match("prom", "S3cret", expected));
    CHECK_FALSE(credentials_match("pro", "s3cret", expected));
    CHECK_FALSE(credentials_match("", "", expected));
    CHECK_FALSE(credentials_match("prom", "", expected));
}

TEST_CASE("the password is the file's content less one trailing newline") {
    std::string path = password_file("s3cret\n");
    CHECK(read_credentials({"127.0.0.1:9001", "prom", path}).password == "s3cret");
    std::ofstream(path) << "with space \r\n";
    CHECK(read_credentials({"127.0.0.1:9001", "prom", path}).password == "with space ");
    unlink(path.c_str());
}

TEST_CASE("an empty, oversized or missing password file is an error naming the file") {
    std::string path = password_file("\n");
    CHECK_THROWS_WITH_AS(read_credentials({"x", "u", path}),
                         ("settings.http.password_file: " + path + " holds no password").c_str(), std::runtime_error);
    std::ofstream(path) << std::string(5000, 'x');
    CHECK_THROWS_WITH_AS(read_credentials({"x", "u", path}),
                         ("settings.http.password_file: " + path + " is over 4 KiB").c_str(), std::runtime_error);
    unlink(path.c_str());
    CHECK_THROWS_WITH_AS(read_credentials({"x", "u", path}),
                         ("settings.http.password_file: failed to open " + path + ": No such file or directory").c_str(),
                         std::runtime_error);
}

}  // namespace unit_basic_auth_test
