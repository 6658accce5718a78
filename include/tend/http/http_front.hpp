// The HTTP front as the daemon's main sees it: made once, it then follows
// settings.http through reloads by itself. Two makers: the HTTP server
// (src/http/http_front.cpp, in tend), and one that only refuses settings.http
// (src/tend/http_front_absent.cpp, in the portable bundle's tend, which has no
// libmicrohttpd to load and is smaller without the front's code).
#pragma once

#include <memory>

#include "tend/config/config.hpp"
#include "tend/event/event_loop.hpp"

namespace tend {

class Operations;

class HttpFront {
public:
    virtual ~HttpFront() = default;
};

// Throws std::runtime_error saying why when settings.http cannot be served.
std::unique_ptr<HttpFront> make_http_front(EventLoop& loop, Operations& operations, const Settings& settings);

}  // namespace tend
