#include "tend/output/output_router.hpp"

#include <algorithm>

namespace tend {

OutputRouter::OutputRouter(EventLoop& loop, LogFormat format, int stdout_fd)
    : writer_(loop, stdout_fd, "service output to stdout"), pipes_(loop), format_(format) {}

Subscription OutputRouter::follow(std::vector<std::string> services, Follower follower) {
    if (services.empty()) return followers_.add(std::move(follower));
    return followers_.add([services = std::move(services), follower = std::move(follower)](const LineView& line) {
        if (std::find(services.begin(), services.end(), line.service) != services.end()) follower(line);
    });
}

void OutputRouter::publish(const LineView& line) const {
    if (followers_.empty()) return;  // the common case, on every captured line
    followers_.for_each([&](const Follower& follower) { follower(line); });
}

}  // namespace tend
