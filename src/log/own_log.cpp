#include "tend/log/own_log.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

namespace tend {
namespace {

class OwnLogSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    explicit OwnLogSink(OwnLog& log) : log_(log) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        log_.append(std::string_view(formatted.data(), formatted.size()));
    }
    void flush_() override {}

private:
    OwnLog& log_;
};

}  // namespace

OwnLog& OwnLog::instance() {
    static OwnLog log;
    return log;
}

std::string OwnLog::text() const {
    std::string out;
    out.reserve(bytes_);
    for (const std::string& line : lines_) out += line;
    return out;
}

void OwnLog::clear() {
    lines_.clear();
    bytes_ = 0;
}

Subscription OwnLog::follow(std::function<void(std::string_view)> on_line) { return followers_.add(std::move(on_line)); }

spdlog::sink_ptr OwnLog::sink() {
    if (!sink_) sink_ = std::make_shared<OwnLogSink>(*this);
    return sink_;
}

void OwnLog::append(std::string_view line) {
    std::string kept(line.substr(0, kMaxBytes));
    bytes_ += kept.size();
    lines_.push_back(std::move(kept));
    while (bytes_ > kMaxBytes) {
        bytes_ -= lines_.front().size();
        lines_.pop_front();
    }
    // A follower may log (a dropped stream says so): that line is kept and sent after this one.
    followers_.for_each([&line](const auto& follower) { follower(line); });
}

}  // namespace tend
