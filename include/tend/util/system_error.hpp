// std::system_error built from errno, so every failed syscall carries its errno
// text into the one message the caller logs.
#pragma once

#include <cerrno>
#include <string>
#include <system_error>

namespace tend {

[[nodiscard]] inline std::system_error errno_error(const std::string& what, int err = errno) {
    return std::system_error(err, std::generic_category(), what);
}

}  // namespace tend
