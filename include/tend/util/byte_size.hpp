// Sizes as written in tend.yaml: "10MiB", "512K", "1G", "100kB" or a bare
// number of bytes. K, M and G count in 1024s, with or without "B"/"iB".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tend {

std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace tend
