// The figures /metrics reports, gathered where the services' meaning lives.
#include <chrono>

#include "tend/supervisor/operations.hpp"

namespace tend {
namespace {

double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::vector<ServiceMetrics> Operations::metrics() {
    const auto& by_group = scanner_.scan();
    double now = wall_seconds();
    std::vector<ServiceMetrics> out;
    out.reserve(supervisor_.services().size());
    for (const auto& s : supervisor_.services()) {
        ServiceMetrics m;
        m.status = status(*s);
        m.group = s->spec().replica_of.empty() ? s->name() : s->spec().replica_of;
        m.ready = m.status.state == "running" || m.status.state == "completed";
        if (m.status.uptime_seconds) m.start_time = now - *m.status.uptime_seconds;
        if (pid_t group = s->scope.group(); group > 0)
            if (auto it = by_group.find(group); it != by_group.end()) m.usage = it->second;
        if (s->output)
            m.output = std::array{s->output->counts(OutputStream::out), s->output->counts(OutputStream::err)};
        out.push_back(std::move(m));
    }
    return out;
}

TendMetrics Operations::own_metrics() const {
    TendMetrics m;
    m.usage = own_usage();
    m.open_fds = own_open_fds();
    m.orphans_reaped = supervisor_.orphans_reaped();
    m.requests[0] = requests_[0];
    m.requests[1] = requests_[1];
    m.start_time = start_time_;
    return m;
}

}  // namespace tend
