// Signal names both ways: "TERM", "SIGTERM" or "15" in config and on the
// command line; "SIGTERM" in every message tend writes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tend {

std::optional<int> parse_signal(std::string_view text);
std::string signal_name(int sig);

}  // namespace tend
