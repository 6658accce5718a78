// Appends bytes as a JSON string literal, quotes included. Service output is
// bytes, not necessarily UTF-8: each byte that does not start a valid UTF-8
// sequence becomes U+FFFD, as nlohmann::json's `replace` handler does, but
// without building a json object per line (the hot path of log_format: json).
#pragma once

#include <string>
#include <string_view>

namespace tend {

void append_json_string(std::string& out, std::string_view bytes);

}  // namespace tend
