// tend's own log, once the event loop runs: lines go through a non-blocking
// OutputWriter instead of straight to stderr, so a stuck reader of stderr (the
// same stuck log collector that stops reading stdout) can never block tend.
// tend cannot make itself wait, so past a bound its own lines are dropped and
// counted, and the count is logged once the reader takes lines again.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "tend/event/event_loop.hpp"
#include "tend/output/output_writer.hpp"

namespace tend {

class QueuedLog {
public:
    static constexpr std::size_t kMaxQueued = 1024 * 1024;

    // Shares `stdout_writer` when stderr is the very same pipe or file as
    // stdout (`2>&1`), so a service's line and a log line are never written
    // into each other; else writes to fd 2 through a writer of its own.
    QueuedLog(EventLoop& loop, OutputWriter& stdout_writer, int stdout_fd = 1, int stderr_fd = 2);
    // Writes what is queued (waiting at most a moment for the reader) and
    // gives the log back its plain stderr.
    ~QueuedLog();
    QueuedLog(const QueuedLog&) = delete;
    QueuedLog& operator=(const QueuedLog&) = delete;

    std::size_t dropped() const;
    // For a quiet tend: its own writer gives back what a burst of lines grew.
    void release_idle();

private:
    std::optional<OutputWriter> own_;
    OutputWriter* writer_;
    std::shared_ptr<class QueuedLogSink> sink_;
};

}  // namespace tend
