#include "tend/http/metrics_page.hpp"

#include <functional>
#include <optional>

#include "tend/http/metrics_text.hpp"

namespace tend {
namespace {

using Type = MetricsText::Type;

// One per-service family: a sample for each service `value` has a figure for.
void per_service(MetricsText& out, const std::vector<ServiceMetrics>& services, std::string_view name, Type type,
                 std::string_view help, const std::function<std::optional<double>(const ServiceMetrics&)>& value) {
    out.family(name, type, help);
    for (const ServiceMetrics& m : services)
        if (auto v = value(m)) out.sample(name, {{"service", m.status.name}, {"group", m.group}}, *v);
}

void service_families(MetricsText& out, const std::vector<ServiceMetrics>& services) {
    per_service(out, services, "tend_service_up", Type::gauge, "1 while the service has a process.",
                [](const ServiceMetrics& m) { return m.status.pid ? 1.0 : 0.0; });
    out.family("tend_service_state", Type::gauge, "The service's state, as tendctl status says it (value 1).");
    for (const ServiceMetrics& m : services)
        out.sample("tend_service_state", {{"service", m.status.name}, {"group", m.group}, {"state", m.status.state}}, 1);
    per_service(out, services, "tend_service_ready", Type::gauge,
                "1 while the service runs (and is ready, where readiness is configured) or has completed.",
                [](const ServiceMetrics& m) { return m.ready ? 1.0 : 0.0; });
    per_service(out, services, "tend_service_healthy", Type::gauge,
                "1 while its health check passes; services without one (or not running) have no sample.",
                [](const ServiceMetrics& m) -> std::optional<double> {
                    if (m.status.health.empty()) return std::nullopt;
                    return m.status.health == "healthy" ? 1.0 : 0.0;
                });
    per_service(out, services, "tend_service_restarts_total", Type::counter, "Restarts since tend started it.",
                [](const ServiceMetrics& m) { return static_cast<double>(m.status.restarts); });
    per_service(out, services, "tend_service_last_exit_code", Type::gauge,
                "How its last process ended: the exit code, or 128+N for signal N.",
                [](const ServiceMetrics& m) -> std::optional<double> {
                    if (!m.status.last_exit) return std::nullopt;
                    return m.status.last_exit->shell_code();
                });
    per_service(out, services, "tend_service_start_time_seconds", Type::gauge,
                "When its current process started, in seconds since the epoch.",
                [](const ServiceMetrics& m) { return m.start_time; });
    per_service(out, services, "tend_service_cpu_seconds_total", Type::counter,
                "User and system CPU time of the live processes of its process group.",
                [](const ServiceMetrics& m) { return m.usage.cpu_seconds; });
    per_service(out, services, "tend_service_resident_memory_bytes", Type::gauge,
                "Resident memory of the live processes of its process group.",
                [](const ServiceMetrics& m) { return static_cast<double>(m.usage.rss_bytes); });
}

// Per service and stream, for the services whose output tend captures.
void output_family(MetricsText& out, const std::vector<ServiceMetrics>& services, std::string_view name,
                   std::string_view help, std::uint64_t OutputCounts::*field) {
    out.family(name, Type::counter, help);
    for (const ServiceMetrics& m : services) {
        if (!m.output) continue;
        for (int stream = 0; stream < 2; ++stream)
            out.sample(name, {{"service", m.status.name}, {"group", m.group}, {"stream", stream ? "stderr" : "stdout"}},
                       static_cast<double>((*m.output)[stream].*field));
    }
}

void own_families(MetricsText& out, const TendMetrics& self) {
    out.family("process_cpu_seconds_total", Type::counter, "tend's own user and system CPU time in seconds.");
    out.sample("process_cpu_seconds_total", self.usage.cpu_seconds);
    out.family("process_resident_memory_bytes", Type::gauge, "tend's own resident memory in bytes.");
    out.sample("process_resident_memory_bytes", static_cast<double>(self.usage.rss_bytes));
    out.family("process_open_fds", Type::gauge, "File descriptors tend holds open.");
    out.sample("process_open_fds", static_cast<double>(self.open_fds));
    out.family("process_start_time_seconds", Type::gauge, "When tend started, in seconds since the epoch.");
    out.sample("process_start_time_seconds", self.start_time);
    out.family("tend_orphans_reaped_total", Type::counter, "Processes tend reaped that were no service's.");
    out.sample("tend_orphans_reaped_total", static_cast<double>(self.orphans_reaped));
    out.family("tend_requests_total", Type::counter, "Requests taken, by front end (control socket, HTTP).");
    for (int front = 0; front < 2; ++front)
        out.sample("tend_requests_total", {{"front", kFrontNames[front]}}, static_cast<double>(self.requests[front]));
}

}  // namespace

std::string metrics_page(const std::vector<ServiceMetrics>& services, const TendMetrics& self) {
    // About 750 bytes a service: one allocation for the page, not a doubling each time it fills.
    MetricsText out(1024 + services.size() * 1024);
    service_families(out, services);
    output_family(out, services, "tend_service_output_lines_total",
                  "Lines the service wrote on the stream, since tend made its pipes (a service whose output tend "
                  "does not capture has no sample).",
                  &OutputCounts::lines);
    output_family(out, services, "tend_service_output_bytes_total",
                  "Bytes the service wrote on the stream, newlines included, since tend made its pipes.",
                  &OutputCounts::bytes);
    own_families(out, self);
    return std::move(out).take();
}

}  // namespace tend
