#include "tend/cli/status_table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace tend {
namespace {

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string exit_text(const std::optional<StatusRow::Exit>& exit) {
    if (!exit) return "";
    if (!exit->signal.empty()) return "killed by " + exit->signal;
    return "exit code " + std::to_string(exit->code);
}

// "2026-12-05T02:30:00+01:00" as "2026-12-05 02:30:00".
std::string wall_text(const std::optional<std::string>& t) {
    std::string text = t.value_or("").substr(0, 19);
    if (text.size() > 10) text[10] = ' ';
    return text;
}

// Adds ", PART" (or PART when `text` is still empty).
void add(std::string& text, const std::string& part) {
    if (!text.empty()) text += ", ";
    text += part;
}

// A scheduled job's runs: "last run 2026-12-05 02:30:00 completed in 1.2s, next 2026-12-05 02:35:00 (in 4:59)".
std::string job_text(const StatusRow::Job& job) {
    std::string text;
    if (job.last) {
        text = "last run " + wall_text(job.last->started);
        text += " " + job.last->result.value_or("still going");
        if (job.last->seconds) {
            char took[32];
            std::snprintf(took, sizeof took, " in %.1fs", *job.last->seconds);
            text += took;
        }
    }
    if (job.next) {
        add(text, "next " + wall_text(job.next));
        if (job.next_in) text += " (in " + format_uptime(std::max(0.0, *job.next_in)) + ")";
    }
    return text;
}

std::string health_text(const StatusRow& s) {
    const StatusRow::HealthCheck& h = *s.health_check;
    const std::string verdict = s.health.value_or("");
    if (h.failures == 0 && verdict != "unhealthy") return "health: " + verdict;
    std::string text = "health: " + std::to_string(h.failures) + " of " + std::to_string(h.retries) + " failed: " + h.output;
    if (h.took && h.checked_ago)
        text += " (took " + std::to_string(std::lround(*h.took * 1000)) + "ms, " + std::to_string(std::lround(*h.checked_ago)) +
                "s ago)";
    return text;
}

std::string description(const StatusRow& s) {
    if (s.state == "empty") return "replicas: 0, no instance (tendctl scale " + s.name + " N runs some)";
    std::string text;
    if (s.pid) {
        text = "pid " + std::to_string(*s.pid);
        if (s.uptime) text += ", uptime " + format_uptime(*s.uptime);
    } else if (s.blocked_reason) {
        text = *s.blocked_reason;
    } else if (s.waiting) {
        text = *s.waiting;
    } else if (s.fatal_reason) {
        text = *s.fatal_reason;
    } else {
        text = exit_text(s.last_exit);
    }
    if (s.status_text) add(text, "\"" + *s.status_text + "\"");
    if (s.health_check) add(text, health_text(s));
    if (s.job)
        if (std::string job = job_text(*s.job); !job.empty()) add(text, job);
    if (s.state == "stopped" && s.stopped_by_operator) text += text.empty() ? "stopped by operator" : " (stopped by operator)";
    if (s.restarts > 0) add(text, std::to_string(s.restarts) + " restart" + (s.restarts == 1 ? "" : "s"));
    return text;
}

const char* colour_of(const std::string& state) {
    if (state == "running" || state == "completed") return "\033[32m";
    if (state == "fatal" || state == "failed" || state == "backoff" || state == "blocked" || state == "unhealthy")
        return "\033[31m";
    if (state == "starting" || state == "stopping") return "\033[33m";
    return "";
}

}  // namespace

std::string format_uptime(double seconds) {
    long total = static_cast<long>(seconds);
    long days = total / 86400;
    char clock[32];
    std::snprintf(clock, sizeof clock, "%ld:%02ld:%02ld", (total % 86400) / 3600, (total % 3600) / 60, total % 60);
    if (days == 0) return clock;
    return std::to_string(days) + (days == 1 ? " day, " : " days, ") + clock;
}

std::string format_status_table(std::span<const StatusRow> services, bool colour) {
    std::size_t name_width = 4;
    for (const StatusRow& s : services) name_width = std::max(name_width, s.name.size());
    std::string out;
    for (const StatusRow& s : services) {
        const std::string& name = s.name;
        const std::string& state = s.state;
        std::string label = upper(state);
        std::string padded_name = name + std::string(name_width - name.size() + 2, ' ');
        std::string padded_state = label + std::string(label.size() < 10 ? 10 - label.size() : 1, ' ');
        if (colour && *colour_of(state)) padded_state = colour_of(state) + label + "\033[0m" + padded_state.substr(label.size());
        std::string line = padded_name + padded_state + description(s);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

}  // namespace tend
