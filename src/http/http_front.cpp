#include "tend/http/http_front.hpp"

#include "tend/http/http_server.hpp"

namespace tend {

std::unique_ptr<HttpFront> make_http_front(EventLoop& loop, Operations& operations, const Settings& settings) {
    return std::make_unique<HttpServer>(loop, operations, settings);
}

}  // namespace tend
