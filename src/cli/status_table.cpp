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

std::string exit_text(const nlohmann::json& exit) {
    if (exit.is_null()) return "";
    if (exit.contains("signal")) return "killed by " + exit["signal"].get<std::string>();
    return "exit code " + std::to_string(exit["code"].get<int>());
}

// "2026-12-05T02:30:00+01:00" as "2026-12-05 02:30:00".
std::string wall_text(const nlohmann::json& t) {
    std::string text = t.get<std::string>().substr(0, 19);
    if (text.size() > 10) text[10] = ' ';
    return text;
}

// A scheduled job's runs: "last run 2026-12-05 02:30:00 completed in 1.2s, next 2026-12-05 02:35:00 (in 4:59)".
std::string job_text(const nlohmann::json& job) {
    std::string text;
    const auto& last = job["last"];
    if (last.is_object()) {
        text = "last run " + wall_text(last["started"]);
        if (last["result"].is_string()) text += " " + last["result"].get<std::string>();
        else text += " still going";
        if (last["seconds"].is_number()) {
            char took[32];
            std::snprintf(took, sizeof took, " in %.1fs", last["seconds"].get<double>());
            text += took;
        }
    }
    if (job["next"].is_string()) {
        text += (text.empty() ? "" : ", ") + std::string("next ") + wall_text(job["next"]);
        if (job["next_in"].is_number()) text += " (in " + format_uptime(std::max(0.0, job["next_in"].get<double>())) + ")";
    }
    return text;
}

std::string description(const nlohmann::json& s) {
    const std::string state = s["state"].get<std::string>();
    std::string text;
    if (state == "empty") return "replicas: 0, no instance (tendctl scale " + s["name"].get<std::string>() + " N runs some)";
    if (!s["pid"].is_null()) {
        text = "pid " + std::to_string(s["pid"].get<long>());
        if (!s["uptime"].is_null()) text += ", uptime " + format_uptime(s["uptime"].get<double>());
    } else if (s.contains("blocked_reason") && !s["blocked_reason"].is_null()) {
        text = s["blocked_reason"].get<std::string>();
    } else if (s.contains("waiting") && s["waiting"].is_string()) {
        text = s["waiting"].get<std::string>();
    } else if (!s["fatal_reason"].is_null()) {
        text = s["fatal_reason"].get<std::string>();
    } else {
        text = exit_text(s["last_exit"]);
    }
    if (s.contains("status_text") && s["status_text"].is_string())
        text += (text.empty() ? "" : ", ") + ("\"" + s["status_text"].get<std::string>() + "\"");
    if (s.contains("health_check") && s["health_check"].is_object()) {
        const auto& h = s["health_check"];
        int failures = h.value("failures", 0);
        std::string verdict = s["health"].get<std::string>();
        if (failures > 0 || verdict == "unhealthy") {
            text += (text.empty() ? "" : ", ") + std::string("health: ") + std::to_string(failures) + " of " +
                    std::to_string(h.value("retries", 0)) + " failed: " + h.value("output", std::string());
            if (h["took"].is_number() && h["checked_ago"].is_number())
                text += " (took " + std::to_string(std::lround(h["took"].get<double>() * 1000)) + "ms, " +
                        std::to_string(std::lround(h["checked_ago"].get<double>())) + "s ago)";
        }
        else
            text += (text.empty() ? "" : ", ") + std::string("health: ") + verdict;
    }
    if (s.contains("job") && s["job"].is_object())
        if (std::string job = job_text(s["job"]); !job.empty()) text += (text.empty() ? "" : ", ") + job;
    if (state == "stopped" && s.value("stopped_by_operator", false)) text += text.empty() ? "stopped by operator" : " (stopped by operator)";
    int restarts = s.value("restarts", 0);
    if (restarts > 0) text += (text.empty() ? "" : ", ") + std::to_string(restarts) + " restart" + (restarts == 1 ? "" : "s");
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

std::string format_status_table(const nlohmann::json& services, bool colour) {
    std::size_t name_width = 4;
    for (const auto& s : services) name_width = std::max(name_width, s["name"].get<std::string>().size());
    std::string out;
    for (const auto& s : services) {
        std::string name = s["name"].get<std::string>();
        std::string state = s["state"].get<std::string>();
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
