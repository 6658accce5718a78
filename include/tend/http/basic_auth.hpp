// HTTP basic auth for the HTTP front: the expected user and password (from
// `password_file`), and the comparison, which takes the same time wherever a
// guess goes wrong. The header itself is decoded by libmicrohttpd.
#pragma once

#include <string>
#include <string_view>

#include "tend/config/config.hpp"

namespace tend {

struct HttpCredentials {
    std::string user;
    std::string password;
};

// The password is the file's content less one trailing newline; throws
// std::runtime_error naming the file when it cannot be read, is empty or is
// over 4 KiB.
HttpCredentials read_credentials(const HttpSettings& settings);

bool credentials_match(std::string_view user, std::string_view password, const HttpCredentials& expected);

}  // namespace tend
