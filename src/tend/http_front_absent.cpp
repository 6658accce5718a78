// The portable bundle's tend has no HTTP front: the bundle carries no
// libmicrohttpd (with GnuTLS it would double the archive), and without the
// front's code tend is 400 KB smaller. settings.http is refused, at start and
// at reload, with what to use instead.
#include <stdexcept>
#include <string>

#include "tend/http/http_front.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {
namespace {

constexpr const char* kRefusal =
    "settings.http: this tend (the portable bundle) has no HTTP front; "
    "use the Debian package or a build from source for /metrics, /healthz and /RPC2";

class AbsentHttpFront final : public HttpFront {
public:
    explicit AbsentHttpFront(Operations& operations) {
        listening_ = operations.add_settings_listener([](const Settings&, const Settings& after) {
            return after.http ? std::string(kRefusal) : std::string();
        });
    }

private:
    Subscription listening_;
};

}  // namespace

std::unique_ptr<HttpFront> make_http_front(EventLoop&, Operations& operations, const Settings& settings) {
    if (settings.http) throw std::runtime_error(kRefusal);
    return std::make_unique<AbsentHttpFront>(operations);
}

}  // namespace tend
