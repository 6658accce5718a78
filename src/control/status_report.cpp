#include "tend/control/status_report.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>

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

// A member's key: a literal, whose length the compiler knows and checks.
constexpr std::size_t kLongestKey = 32;  // "stopped_by_operator" is 19
struct Key {
    template <std::size_t N>
    consteval Key(const char (&name)[N]) : text(name, N - 1) {  // implicit: m.text("name", ...)
        static_assert(N - 1 <= kLongestKey, "a status key longer than kLongestKey");
    }
    std::string_view text;
};

// Writes one JSON object's members, in the order given: keys in the order
// nlohmann::json's std::map dumps them (sorted), numbers as its serializer
// formats them, strings through the same invalid-UTF-8 replacement, so the
// reply is the one encode_ok() would give.
class Members {
public:
    explicit Members(std::string& out) : out_(out) { out_ += '{'; }
    ~Members() { out_ += '}'; }
    Members(const Members&) = delete;
    Members& operator=(const Members&) = delete;

    // The separator, the quoted key and its colon in one append: keys are short
    // literals, and four appends per member were a fifth of a status reply's cost.
    std::string& key(Key name) {
        char piece[kLongestKey + 4];
        std::size_t n = 0;
        if (!first_) piece[n++] = ',';
        first_ = false;
        piece[n++] = '"';
        std::memcpy(piece + n, name.text.data(), name.text.size());
        n += name.text.size();
        piece[n++] = '"';
        piece[n++] = ':';
        out_.append(piece, n);
        return out_;
    }
    void text(Key name, std::string_view value) { append_json_string(key(name), value); }
    void text_or_null(Key name, const std::string& value) {
        if (value.empty()) key(name) += "null";
        else text(name, value);
    }
    void integer(Key name, long long value) {
        char digits[24];
        key(name).append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits));
    }
    void number_or_null(Key name, const std::optional<double>& value) {
        if (!value || !std::isfinite(*value)) {
            key(name) += "null";
            return;
        }
        char digits[64];
        key(name).append(digits,
                         static_cast<std::size_t>(nlohmann::detail::to_chars(digits, digits + sizeof digits, *value) - digits));
    }

private:
    std::string& out_;
    bool first_ = true;
};

void health_check(std::string& out, const ServiceStatus& s) {
    Members m(out);
    m.number_or_null("checked_ago", s.health_checked_ago);
    m.integer("failures", s.health_failures);
    m.text("output", s.health_output);
    m.integer("retries", s.health_retries);
    m.number_or_null("took", s.health_took);
}

void last_exit(std::string& out, const std::optional<ExitStatus>& exit) {
    if (!exit) {
        out += "null";
        return;
    }
    Members m(out);
    if (exit->signaled) m.text("signal", signal_name(exit->value));
    else m.integer("code", exit->value);
}

void append_status(std::string& out, const ServiceStatus& s) {
    Members m(out);
    m.text_or_null("blocked_reason", s.blocked_reason);
    m.text_or_null("fatal_reason", s.fatal_reason);
    m.text_or_null("health", s.health);
    if (!s.health.empty()) health_check(m.key("health_check"), s);
    // A scheduled job's times: rare, and a few fields; nlohmann writes them.
    if (s.job) m.key("job") += encode_job(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    last_exit(m.key("last_exit"), s.last_exit);
    m.text("name", s.name);
    if (s.pid) m.integer("pid", *s.pid);
    else m.key("pid") += "null";
    m.integer("restarts", s.restarts);
    m.text("state", s.state);
    m.text_or_null("status_text", s.status_text);
    m.key("stopped_by_operator") += s.stopped_by_operator ? "true" : "false";
    m.number_or_null("uptime", s.uptime_seconds);
    m.text_or_null("waiting", s.waiting);
    m.text("want", to_string(s.want));
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
