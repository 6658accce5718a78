// tend's own log kept in memory: the last lines tend wrote (to stderr or
// wherever QueuedLog sends them), formatted as written, for supervisord's
// readLog/clearLog and `/mainlogtail` (supervisorctl maintail). tend keeps
// no log file of its own; this ring stands in for supervisord's.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/common.h>

#include "tend/util/listener_list.hpp"

namespace tend {

class OwnLog {
public:
    // About a day of a quiet tend's lines; what a maintail looks back at.
    static constexpr std::size_t kMaxBytes = 64 * 1024;

    // The one every logger writes to (spdlog's loggers are process-wide too).
    static OwnLog& instance();

    // What is kept, oldest first: whole lines, at most kMaxBytes.
    std::string text() const;
    void clear();
    // Each line from now on, as written (ending in "\n").
    [[nodiscard]] Subscription follow(std::function<void(std::string_view line)> on_line);
    // The sink that feeds it, beside the logger's own.
    spdlog::sink_ptr sink();

    void append(std::string_view line);

private:
    std::deque<std::string> lines_;
    std::size_t bytes_ = 0;
    ListenerList<std::function<void(std::string_view)>> followers_;
    spdlog::sink_ptr sink_;
};

}  // namespace tend
