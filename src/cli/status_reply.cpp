#include "tend/cli/status_reply.hpp"

#include <cstdint>
#include <string_view>
#include <stdexcept>

#include "tend/util/json_scanner.hpp"

namespace tend {
namespace {

// The member names the reader acts on; any other is `other`.
enum class Key {
    other, ok, error, result, name, state, pid, uptime, restarts, blocked_reason, waiting, fatal_reason, status_text,
    health, stopped_by_operator, last_exit, health_check, job, signal, code, failures, retries, output, took,
    checked_ago, next, next_in, last, started, seconds
};

// Each member's name is looked up once, by its length first (a reply of 1,000
// services has some 17,000 of them), not compared along a chain of ifs at every value.
Key key_of(std::string_view n) {
    switch (n.size()) {
        case 2: return n == "ok" ? Key::ok : Key::other;
        case 3: return n == "pid" ? Key::pid : n == "job" ? Key::job : Key::other;
        case 4:
            return n == "name" ? Key::name : n == "code" ? Key::code : n == "next" ? Key::next : n == "last" ? Key::last
                 : n == "took" ? Key::took : Key::other;
        case 5: return n == "state" ? Key::state : n == "error" ? Key::error : Key::other;
        case 6:
            return n == "result" ? Key::result : n == "health" ? Key::health : n == "uptime" ? Key::uptime
                 : n == "signal" ? Key::signal : n == "output" ? Key::output : Key::other;
        case 7:
            return n == "waiting" ? Key::waiting : n == "retries" ? Key::retries : n == "next_in" ? Key::next_in
                 : n == "started" ? Key::started : n == "seconds" ? Key::seconds : Key::other;
        case 8: return n == "restarts" ? Key::restarts : n == "failures" ? Key::failures : Key::other;
        case 9: return n == "last_exit" ? Key::last_exit : Key::other;
        case 11: return n == "status_text" ? Key::status_text : n == "checked_ago" ? Key::checked_ago : Key::other;
        case 12: return n == "fatal_reason" ? Key::fatal_reason : n == "health_check" ? Key::health_check : Key::other;
        case 14: return n == "blocked_reason" ? Key::blocked_reason : Key::other;
        case 19: return n == "stopped_by_operator" ? Key::stopped_by_operator : Key::other;
        default: return Key::other;
    }
}

// Where in the reply the reader is: what the members of the innermost open
// object or array mean.
enum class Where { top, result, row, last_exit, health_check, job, job_last, other };

// The reply's values as the scanner passes them, kept where they belong in a StatusReply. A value's
// meaning is its place (the enclosing Where) and its key.
class StatusReader final : public JsonEvents {
public:
    explicit StatusReader(StatusReply& reply) : reply_(reply) {}

    bool null() override { return scalar(Value{}); }
    bool boolean(bool value) override { return scalar(Value{.kind = Value::Kind::boolean, .flag = value}); }
    bool integer(std::int64_t value) override { return whole_number(static_cast<long long>(value)); }
    bool unsigned_integer(std::uint64_t) override { return whole_number(INT64_MAX); }
    bool number(double value) override { return scalar(Value{.kind = Value::Kind::number, .number = value}); }
    bool string(std::string& value) override { return scalar(Value{.kind = Value::Kind::text, .text = &value}); }

    bool start_object() override {
        if (open_.empty()) {
            open_.push_back(Where::top);
            return true;
        }
        Where inner = Where::other;
        StatusRow* row = current_row();
        const Where outer = open_.back();
        if (outer == Where::result) {
            reply_.rows.emplace_back();
            inner = Where::row;
        } else if (outer == Where::row) {
            if (key_ == Key::last_exit) row->last_exit.emplace(), inner = Where::last_exit;
            else if (key_ == Key::health_check) row->health_check.emplace(), inner = Where::health_check;
            else if (key_ == Key::job) row->job.emplace(), inner = Where::job;
        } else if (outer == Where::job && key_ == Key::last) {
            row->job->last.emplace();
            inner = Where::job_last;
        }
        open_.push_back(inner);
        return true;
    }
    bool start_array() override {
        if (open_.empty()) return false;  // the reply is an object
        open_.push_back(open_.back() == Where::top && key_ == Key::result ? Where::result : Where::other);
        return true;
    }
    bool key(std::string& name) override {
        key_ = key_of(name);
        return true;
    }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

private:
    struct Value {
        enum class Kind { null, boolean, integer, number, text };
        Kind kind = Kind::null;
        bool flag = false;
        long long whole = 0;
        double number = 0;
        std::string* text = nullptr;
    };

    bool whole_number(long long value) {
        return scalar(Value{.kind = Value::Kind::integer, .whole = value, .number = static_cast<double>(value)});
    }
    bool close() {
        open_.pop_back();
        return true;
    }
    StatusRow* current_row() { return reply_.rows.empty() ? nullptr : &reply_.rows.back(); }

    static void take(std::string& field, const Value& v) {
        if (v.kind == Value::Kind::text) field = std::move(*v.text);
    }
    static void take(std::optional<std::string>& field, const Value& v) {
        if (v.kind == Value::Kind::text) field = std::move(*v.text);
    }
    static void take(std::optional<double>& field, const Value& v) {
        if (v.kind == Value::Kind::integer || v.kind == Value::Kind::number) field = v.number;
    }
    static void take_whole(long long& field, const Value& v) {
        if (v.kind == Value::Kind::integer) field = v.whole;
    }

    bool scalar(const Value& v) {
        if (open_.empty()) return false;  // the reply is an object
        StatusRow* row = current_row();
        switch (open_.back()) {
            case Where::top:
                if (key_ == Key::ok && v.kind == Value::Kind::boolean) reply_.ok = v.flag;
                else if (key_ == Key::error) take(reply_.error, v);
                break;
            case Where::row: row_member(*row, v); break;
            case Where::last_exit:
                if (key_ == Key::signal) take(row->last_exit->signal, v);
                else if (key_ == Key::code) take_whole(row->last_exit->code, v);
                break;
            case Where::health_check: {
                StatusRow::HealthCheck& h = *row->health_check;
                if (key_ == Key::failures) take_whole(h.failures, v);
                else if (key_ == Key::retries) take_whole(h.retries, v);
                else if (key_ == Key::output) take(h.output, v);
                else if (key_ == Key::took) take(h.took, v);
                else if (key_ == Key::checked_ago) take(h.checked_ago, v);
                break;
            }
            case Where::job:
                if (key_ == Key::next) take(row->job->next, v);
                else if (key_ == Key::next_in) take(row->job->next_in, v);
                break;
            case Where::job_last: {
                StatusRow::JobRun& last = *row->job->last;
                if (key_ == Key::started) take(last.started, v);
                else if (key_ == Key::result) take(last.result, v);
                else if (key_ == Key::seconds) take(last.seconds, v);
                break;
            }
            case Where::result:
            case Where::other: break;
        }
        return true;
    }

    void row_member(StatusRow& row, const Value& v) {
        if (key_ == Key::name) take(row.name, v);
        else if (key_ == Key::state) take(row.state, v);
        else if (key_ == Key::pid && v.kind == Value::Kind::integer) row.pid = v.whole;
        else if (key_ == Key::uptime) take(row.uptime, v);
        else if (key_ == Key::restarts) take_whole(row.restarts, v);
        else if (key_ == Key::blocked_reason) take(row.blocked_reason, v);
        else if (key_ == Key::waiting) take(row.waiting, v);
        else if (key_ == Key::fatal_reason) take(row.fatal_reason, v);
        else if (key_ == Key::status_text) take(row.status_text, v);
        else if (key_ == Key::health) take(row.health, v);
        else if (key_ == Key::stopped_by_operator && v.kind == Value::Kind::boolean) row.stopped_by_operator = v.flag;
    }

    StatusReply& reply_;
    std::vector<Where> open_;
    Key key_ = Key::other;
};

}  // namespace

StatusReply read_status_reply(std::string_view line) {
    StatusReply reply;
    StatusReader reader(reply);
    if (!scan_json(line, reader)) throw std::runtime_error("tend sent an invalid reply");
    return reply;
}

}  // namespace tend
