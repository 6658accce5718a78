#include "tend/control/status_report.hpp"

#include "tend/util/signal_names.hpp"

namespace tend {

nlohmann::json status_of(const Service& service, TimePoint now) {
    const ServiceMachine& m = service.machine();
    nlohmann::json out = {
        {"name", service.name()},
        {"state", service.blocked_reason.empty() ? to_string(m.state()) : "blocked"},
        {"blocked_reason", service.blocked_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(service.blocked_reason)},
        {"pid", service.pid > 0 ? nlohmann::json(service.pid) : nlohmann::json(nullptr)},
        {"uptime", nullptr},
        {"restarts", m.restarts()},
        {"last_exit", nullptr},
        {"fatal_reason", m.fatal_reason().empty() ? nlohmann::json(nullptr) : nlohmann::json(m.fatal_reason())},
        {"stopped_by_operator", service.goal.stopped_by_operator()},
        {"want", to_string(service.goal.want)},
    };
    if (service.pid > 0)
        out["uptime"] = std::chrono::duration<double>(now - service.started_at).count();
    if (const auto& exit = m.last_exit()) {
        out["last_exit"] = exit->signaled ? nlohmann::json{{"signal", signal_name(exit->value)}}
                                          : nlohmann::json{{"code", exit->value}};
    }
    return out;
}

}  // namespace tend
