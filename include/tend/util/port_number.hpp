// A TCP port written in a config (a probe's `tcp:`/`http:` target, the HTTP
// front's `listen:`): the whole text as a decimal number from 1 to 65535.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tend {

// Nothing for an empty text, a sign, trailing characters, 0 or past 65535.
std::optional<std::uint16_t> parse_port_number(std::string_view text);

}  // namespace tend
