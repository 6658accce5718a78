// Appends bytes as a JSON string literal, quotes included. Service output is
// bytes, not necessarily UTF-8: each byte that does not start a valid UTF-8
// sequence becomes U+FFFD, as nlohmann::json's `replace` handler does, but
// without building a json object per line (the hot path of log_format: json).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tend {

void append_json_string(std::string& out, std::string_view bytes);

// How many of the `n` bytes at `p` a JSON string holds as they are (printable
// ASCII but the quote and the backslash), from the first: what both writing
// and reading a string skip over, tested eight bytes at a time.
std::size_t plain_json_run(const unsigned char* p, std::size_t n);

}  // namespace tend
