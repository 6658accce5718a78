#include "tend/output/output_router.hpp"

#include <algorithm>

namespace tend {

OutputRouter::OutputRouter(EventLoop& loop, LogFormat format, int stdout_fd)
    : writer_(loop, stdout_fd), format_(format) {}

std::uint64_t OutputRouter::follow(std::vector<std::string> services, Follower follower) {
    std::uint64_t id = next_follower_++;
    followers_.push_back({id, std::move(services), std::move(follower)});
    ++live_followers_;
    return id;
}

void OutputRouter::unfollow(std::uint64_t id) {
    for (auto& entry : followers_)
        if (entry.id == id && entry.follower) {
            entry.follower = nullptr;
            --live_followers_;
        }
    // A follower may be dropped from inside publish(); the list is compacted outside it.
    if (publishing_ == 0)
        std::erase_if(followers_, [](const Entry& e) { return !e.follower; });
}

void OutputRouter::publish(const LineView& line) {
    if (live_followers_ == 0) return;
    ++publishing_;
    for (std::size_t i = 0; i < followers_.size(); ++i) {
        const Entry& entry = followers_[i];
        if (!entry.follower) continue;
        if (!entry.services.empty() &&
            std::find(entry.services.begin(), entry.services.end(), line.service) == entry.services.end())
            continue;
        Follower copy = entry.follower;  // the entry may be unfollowed while it runs
        copy(line);
    }
    if (--publishing_ == 0) std::erase_if(followers_, [](const Entry& e) { return !e.follower; });
}

}  // namespace tend
