#include "tend/control/reload_reply.hpp"

namespace tend {

using nlohmann::json;

namespace {

std::string size_text(std::size_t bytes) {
    if (bytes % (1024 * 1024) == 0) return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace

json encode_reload(const ReloadOutcome& outcome, bool dry_run, std::size_t max_bytes) {
    json services = json::array();
    json settings = json::array();
    json plan = json::array();
    std::size_t used = 0;
    std::size_t left_out = 0;
    // Each change takes its entry and its plan line; once one does not fit, the rest are only counted.
    auto fits = [&](const json& entry, const std::string& line) {
        if (left_out == 0) {
            std::size_t size = entry.dump().size() + line.size() + 8;  // quotes and commas
            if (used + size <= max_bytes) {
                used += size;
                return true;
            }
        }
        ++left_out;
        return false;
    };
    for (const ServiceDiff& d : outcome.diff.services) {
        if (left_out > 0) {  // past the cut the rest are only counted, not encoded
            ++left_out;
            continue;
        }
        json entry = {{"name", d.name}, {"change", to_string(d.change)}, {"fields", d.fields}};
        std::string line = describe(d);
        if (!fits(entry, line)) continue;
        services.push_back(std::move(entry));
        plan.push_back(std::move(line));
    }
    for (const SettingDiff& d : outcome.diff.settings) {
        if (left_out > 0) {
            ++left_out;
            continue;
        }
        json entry = {{"key", d.key}, {"from", d.from}, {"to", d.to}};
        std::string line = describe(d);
        if (!fits(entry, line)) continue;
        settings.push_back(std::move(entry));
        plan.push_back(std::move(line));
    }
    json reply = {{"dry_run", dry_run}, {"services", std::move(services)}, {"settings", std::move(settings)},
                  {"plan", std::move(plan)},
                  {"warnings", outcome.warnings}};
    if (left_out > 0) {
        reply["left_out"] = left_out;
        reply["plan"].push_back("... and " + std::to_string(left_out) + " more not listed (a reply holds at most " +
                                size_text(max_bytes) + ")");
    }
    return reply;
}

}  // namespace tend
