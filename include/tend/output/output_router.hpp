// Where captured lines go beyond their service: tend's stdout (through the
// non-blocking writer, in the configured format) and the `tendctl logs -f`
// followers. Also hands out the global sequence that orders lines across services.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/output/log_line.hpp"
#include "tend/output/output_writer.hpp"

namespace tend {

class OutputRouter {
public:
    using Follower = std::function<void(const LineView&)>;

    OutputRouter(EventLoop& loop, LogFormat format, int stdout_fd);

    LogFormat format() const { return format_; }
    void set_format(LogFormat format) { format_ = format; }
    std::uint64_t next_seq() { return ++seq_; }
    OutputWriter& writer() { return writer_; }

    // `services` empty: every service. Returns an id for unfollow().
    std::uint64_t follow(std::vector<std::string> services, Follower follower);
    void unfollow(std::uint64_t id);
    bool has_followers() const { return live_followers_ > 0; }
    void publish(const LineView& line);

private:
    struct Entry {
        std::uint64_t id;
        std::vector<std::string> services;
        Follower follower;  // empty once unfollowed
    };

    OutputWriter writer_;
    LogFormat format_;
    std::uint64_t seq_ = 0;
    std::uint64_t next_follower_ = 1;
    std::vector<Entry> followers_;
    std::size_t live_followers_ = 0;
    int publishing_ = 0;
};

}  // namespace tend
