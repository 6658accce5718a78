#include "tend/control/status_report.hpp"

#include <charconv>
#include <cmath>

#include "tend/util/json_string.hpp"
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

// The writers below emit keys in the order nlohmann::json's std::map dumps
// them (sorted), numbers as its serializer formats them, strings through the
// same invalid-UTF-8 replacement: the reply is the one encode_ok() would give.
void key(std::string& out, const char* name) {
    out += '"';
    out += name;
    out += "\":";
}

void text_or_null(std::string& out, const std::string& text) {
    if (text.empty()) out += "null";
    else append_json_string(out, text);
}

void integer(std::string& out, long long value) {
    char digits[24];
    out.append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits));
}

void number_or_null(std::string& out, const std::optional<double>& value) {
    if (!value || !std::isfinite(*value)) {
        out += "null";
        return;
    }
    char digits[64];
    out.append(digits, static_cast<std::size_t>(nlohmann::detail::to_chars(digits, digits + sizeof digits, *value) - digits));
}

void health_check(std::string& out, const ServiceStatus& s) {
    key(out, "checked_ago");
    number_or_null(out, s.health_checked_ago);
    out += ',';
    key(out, "failures");
    integer(out, s.health_failures);
    out += ',';
    key(out, "output");
    append_json_string(out, s.health_output);
    out += ',';
    key(out, "retries");
    integer(out, s.health_retries);
    out += ',';
    key(out, "took");
    number_or_null(out, s.health_took);
}

void last_exit(std::string& out, const std::optional<ExitStatus>& exit) {
    if (!exit) {
        out += "null";
    } else if (exit->signaled) {
        out += "{\"signal\":";
        append_json_string(out, signal_name(exit->value));
        out += '}';
    } else {
        out += "{\"code\":";
        integer(out, exit->value);
        out += '}';
    }
}

void append_status(std::string& out, const ServiceStatus& s) {
    out += '{';
    key(out, "blocked_reason");
    text_or_null(out, s.blocked_reason);
    out += ',';
    key(out, "fatal_reason");
    text_or_null(out, s.fatal_reason);
    out += ',';
    key(out, "health");
    text_or_null(out, s.health);
    if (!s.health.empty()) {
        out += ',';
        key(out, "health_check");
        out += '{';
        health_check(out, s);
        out += '}';
    }
    if (s.job) {  // a scheduled job's times: rare, and a few fields; nlohmann writes them
        out += ',';
        key(out, "job");
        out += encode_job(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    out += ',';
    key(out, "last_exit");
    last_exit(out, s.last_exit);
    out += ',';
    key(out, "name");
    append_json_string(out, s.name);
    out += ',';
    key(out, "pid");
    if (s.pid) integer(out, *s.pid);
    else out += "null";
    out += ',';
    key(out, "restarts");
    integer(out, s.restarts);
    out += ',';
    key(out, "state");
    append_json_string(out, s.state);
    out += ',';
    key(out, "status_text");
    text_or_null(out, s.status_text);
    out += ',';
    key(out, "stopped_by_operator");
    out += s.stopped_by_operator ? "true" : "false";
    out += ',';
    key(out, "uptime");
    number_or_null(out, s.uptime_seconds);
    out += ',';
    key(out, "waiting");
    text_or_null(out, s.waiting);
    out += ',';
    key(out, "want");
    append_json_string(out, to_string(s.want));
    out += '}';
}

}  // namespace

std::string encode_status_reply(std::span<const ServiceStatus> services) {
    std::string out = "{\"ok\":true,\"result\":[";
    out.reserve(services.size() * 320 + 32);
    for (std::size_t i = 0; i < services.size(); ++i) {
        if (i > 0) out += ',';
        append_status(out, services[i]);
    }
    out += "]}\n";
    return out;
}

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
