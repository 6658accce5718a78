// Reading a whole file that a user named as config: tend.yaml and its
// includes, or a supervisord.conf for `tend import`.
#pragma once

#include <cstddef>
#include <string>

namespace tend {

// All of `path`, when it is a regular file of at most `max_bytes`. It is
// opened without blocking (a FIFO would hold the reader until a writer came)
// and refused when it is not a regular file (`include: /dev/zero`). Throws
// std::runtime_error whose what() is the reason alone ("No such file or
// directory", "a FIFO, not a regular file", "larger than 16 MiB"), for the
// caller to put beside the path.
std::string read_regular_file(const std::string& path, std::size_t max_bytes);

}  // namespace tend
