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
#include "tend/event/io_group.hpp"
#include "tend/output/log_line.hpp"
#include "tend/output/output_writer.hpp"
#include "tend/util/listener_list.hpp"

namespace tend {

class OutputRouter {
public:
    using Follower = std::function<void(const LineView&)>;

    OutputRouter(EventLoop& loop, LogFormat format, int stdout_fd);

    LogFormat format() const { return format_; }
    void set_format(LogFormat format) { format_ = format; }
    std::uint64_t next_seq() { return ++seq_; }
    OutputWriter& writer() { return writer_; }
    // Where every service's output pipes are watched: one source of the loop for all of them.
    IoGroup& pipes() { return pipes_; }

    // `services` empty: every service. Following ends when the subscription goes.
    [[nodiscard]] Subscription follow(std::vector<std::string> services, Follower follower);
    void publish(const LineView& line) const;

private:
    OutputWriter writer_;
    IoGroup pipes_;
    LogFormat format_;
    std::uint64_t seq_ = 0;
    ListenerList<Follower> followers_;
};

}  // namespace tend
