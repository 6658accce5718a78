// UTF-8 validity, byte by byte: for JSON output of service bytes (replaced
// where invalid) and for config text tend refuses when it is not UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tend {

// Length of the valid UTF-8 sequence at `p` (of `left` bytes), or 0 if it is
// not one: overlong forms, surrogates and code points past U+10FFFF included.
// ASCII is not asked about here: the callers take it on a faster path.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t left);

// The offset of the first byte that is not valid UTF-8, if there is one.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace tend
