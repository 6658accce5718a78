// The HTTP front's pages: what each path answers, over Operations. Kept apart
// from the server (http_server.hpp) so it is tested without sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tend/supervisor/operations.hpp"

namespace tend {

struct HttpReply {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers = {};  // beyond Content-Type and Cache-Control
};

// GET or HEAD of `path` (already percent-decoded, as the parser hands it).
HttpReply route(Operations& operations, std::string_view method, std::string_view path);

// `text` fit for a one-line plain reply: printable ASCII kept, anything else
// '?', at most `max` bytes.
std::string printable(std::string_view text, std::size_t max = 200);

}  // namespace tend
