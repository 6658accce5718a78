#include "tend/log/queued_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "tend/log/logging.hpp"

namespace tend {

class QueuedLogSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    explicit QueuedLogSink(OutputWriter& writer) : writer_(writer), account_(std::make_shared<QueueAccount>()) {}

    std::size_t dropped() const { return dropped_total_; }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        // Only a reader that can stall costs lines; a file always takes them.
        if (account_->queued > QueuedLog::kMaxQueued && !writer_.never_blocks()) {
            ++dropped_;
            ++dropped_total_;
            return;
        }
        if (dropped_ > 0) {
            // Said through the same formatter, so it reads like any other line.
            std::string notice = std::to_string(dropped_) + " log lines were dropped while stderr was not read";
            dropped_ = 0;
            spdlog::details::log_msg note(msg.time, msg.source, msg.logger_name, spdlog::level::warn, notice);
            append(note);
        }
        append(msg);
    }
    void flush_() override {}  // flush_on(trace) calls this per line: it must not wait

private:
    void append(const spdlog::details::log_msg& msg) {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        writer_.append(std::string_view(formatted.data(), formatted.size()), account_);
    }

    OutputWriter& writer_;
    std::shared_ptr<QueueAccount> account_;
    std::size_t dropped_ = 0;
    std::size_t dropped_total_ = 0;
};

namespace {

bool same_file(int a, int b) {
    struct stat sa {}, sb {};
    if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

QueuedLog::QueuedLog(EventLoop& loop, OutputWriter& stdout_writer, int stdout_fd, int stderr_fd) {
    if (same_file(stdout_fd, stderr_fd)) {
        writer_ = &stdout_writer;
    } else {
        own_.emplace(loop, stderr_fd, "tend's log to stderr", false);
        writer_ = &*own_;
    }
    sink_ = std::make_shared<QueuedLogSink>(*writer_);
    set_log_sink(sink_);
}

QueuedLog::~QueuedLog() {
    writer_->flush_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    set_log_sink(std::make_shared<spdlog::sinks::stderr_sink_st>());
}

std::size_t QueuedLog::dropped() const { return sink_->dropped(); }

void QueuedLog::release_idle() {
    if (own_) own_->release_idle();
}

}  // namespace tend
