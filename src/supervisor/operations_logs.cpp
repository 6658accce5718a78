// `logs`: the kept lines of some services interleaved by arrival, the follow
// of new ones, their clearing; and tend's own log kept in memory.
#include <algorithm>
#include <cstdint>

#include "tend/log/own_log.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {

std::vector<KeptLine> Operations::logs(const std::vector<Service*>& services, std::optional<std::size_t> wanted,
                                       bool named) const {
    for (Service* s : services)
        if (named && !ServiceOutput::captures(s->spec()))
            throw Refusal(s->name() + "'s output is not captured (output: " + to_string(s->spec().output) +
                          "), so tend keeps none of it");
    // The newest `wanted` are among each ring's newest `wanted`, so only those are copied out.
    std::size_t per_ring = wanted.value_or(SIZE_MAX);
    std::vector<KeptLine> lines;
    for (Service* s : services)
        if (s->output)
            for (StoredLine& line : s->output->ring().last(per_ring)) lines.push_back({std::move(line), &s->name()});
    std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.line.seq < b.line.seq; });
    std::size_t keep = std::min(lines.size(), per_ring);
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(keep));
    return lines;
}

Subscription Operations::follow_logs(const std::vector<Service*>& services, bool later_too,
                                     std::function<void(const LineView&)> on_line) {
    std::vector<std::string> followed;
    if (!later_too)  // none listed: every service, including ones a reload adds later
        for (Service* s : services) followed.push_back(s->name());
    return supervisor_.output().follow(std::move(followed), std::move(on_line));
}

void Operations::clear_logs(const std::vector<Service*>& services) {
    for (Service* s : services)
        if (s->output) s->output->clear_kept();
}

std::string Operations::own_log() const { return OwnLog::instance().text(); }

Subscription Operations::follow_own_log(std::function<void(std::string_view)> on_line) {
    return OwnLog::instance().follow(std::move(on_line));
}

void Operations::clear_own_log() { OwnLog::instance().clear(); }

}  // namespace tend
