#include "tend/control/status_report.hpp"

#include "tend/util/signal_names.hpp"
#include "tend/util/wall_time_text.hpp"

namespace tend {
namespace {

nlohmann::json text_or_null(const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

template <class T>
nlohmann::json value_or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json local_time(const std::optional<WallTime>& t) {
    return t ? nlohmann::json(rfc3339_local(*t)) : nlohmann::json(nullptr);
}

nlohmann::json encode_job(const ServiceStatus& s) {
    nlohmann::json last = nullptr;
    if (s.job->last)
        last = {{"started", local_time(s.job->last->started)},
                {"result", text_or_null(s.job->last->result)},
                {"seconds", value_or_null(s.job->last->seconds)}};
    return {{"next", local_time(s.job->next)}, {"next_in", value_or_null(s.next_run_in)}, {"last", last}};
}

}  // namespace

nlohmann::json encode_status(const ServiceStatus& s) {
    nlohmann::json last_exit = nullptr;
    if (s.last_exit)
        last_exit = s.last_exit->signaled ? nlohmann::json{{"signal", signal_name(s.last_exit->value)}}
                                          : nlohmann::json{{"code", s.last_exit->value}};
    nlohmann::json out = {
        {"name", s.name},
        {"state", s.state},
        {"blocked_reason", text_or_null(s.blocked_reason)},
        {"waiting", text_or_null(s.waiting)},
        {"pid", value_or_null(s.pid)},
        {"uptime", value_or_null(s.uptime_seconds)},
        {"restarts", s.restarts},
        {"last_exit", last_exit},
        {"fatal_reason", text_or_null(s.fatal_reason)},
        {"stopped_by_operator", s.stopped_by_operator},
        {"want", to_string(s.want)},
        {"status_text", text_or_null(s.status_text)},
        {"health", text_or_null(s.health)},
    };
    if (s.job) out["job"] = encode_job(s);
    if (!s.health.empty())
        out["health_check"] = {{"failures", s.health_failures},
                               {"retries", s.health_retries},
                               {"output", s.health_output},
                               {"checked_ago", value_or_null(s.health_checked_ago)},
                               {"took", value_or_null(s.health_took)}};
    return out;
}

nlohmann::json encode_health(const HealthReport& report) {
    return {{"healthy", report.healthy()}, {"problems", report.problems}};
}

}  // namespace tend
