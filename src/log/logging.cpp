#include "tend/log/logging.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "tend/log/own_log.hpp"
#include "tend/util/iso_time.hpp"

namespace tend {
namespace {

// One JSON object per line, so log collectors need no multi-line parsing.
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        nlohmann::json line = {
            {"time", iso8601(msg.time)},
            {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                  spdlog::level::to_string_view(msg.level).size())},
            {"source", "tend"},
            {"msg", std::string(msg.payload.data(), msg.payload.size())},
        };
        std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        text += '\n';
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

LogFormat current_format = LogFormat::text;

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format) {
    if (format == LogFormat::json) return std::make_unique<JsonFormatter>();
    return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e tend %l: %v", spdlog::pattern_time_type::utc);
}

}  // namespace

void set_log_sink(spdlog::sink_ptr sink) {
    auto logger = spdlog::default_logger();
    logger->sinks() = {std::move(sink), OwnLog::instance().sink()};
    logger->set_formatter(make_formatter(current_format));  // spdlog keeps a formatter per sink
}

void setup_logging(LogFormat format, const std::string& level) {
    auto logger = spdlog::default_logger();
    if (!logger || logger->name() != "tend") {
        // Single-threaded sink: tend has one thread; stderr is flushed on every line
        // so nothing is lost when the container stops.
        logger = std::make_shared<spdlog::logger>(
            "tend", spdlog::sinks_init_list{std::make_shared<spdlog::sinks::stderr_sink_st>(), OwnLog::instance().sink()});
        spdlog::set_default_logger(logger);
    }
    current_format = format;
    logger->set_formatter(make_formatter(format));
    logger->set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
    logger->flush_on(spdlog::level::trace);
}

}  // namespace tend
