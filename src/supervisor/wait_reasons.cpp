#include "tend/supervisor/wait_reasons.hpp"

namespace tend {

std::string why_blocked(const DependencyGraph& graph, const ServiceTable& services, std::size_t index,
                        const std::vector<ServiceView>& views) {
    for (const auto& edge : graph.edges(index)) {
        if (!edge.required) continue;
        const Service& d = services[edge.index];
        const ServiceView& view = views[edge.index];
        if (gave_up(view.state)) return "waiting for " + d.name() + ": " + to_string(view.state);
        if (view.state == ServiceState::exited && !view.exited_successfully)
            return "waiting for " + d.name() + ": exited (" +
                   (d.machine().last_exit() ? d.machine().last_exit()->describe() : "no exit status") + ")";
        if (!d.blocked_reason.empty()) return "waiting for " + d.name() + ": blocked";
    }
    return "";
}

std::string why_waiting(const DependencyGraph& graph, const ServiceTable& services, std::size_t index,
                        const std::vector<ServiceView>& views) {
    for (const auto& edge : graph.edges(index)) {
        const ServiceView& view = views[edge.index];
        if (condition_met(view, edge.condition) || (!edge.required && dependency_gave_up(view))) continue;
        const Service& d = services[edge.index];
        if (is_down(view.state) && !d.goal.start_owed()) return d.name() + ": stopped";
        if (view.state == ServiceState::backoff) return d.name() + ": restarting after a failure";
        if (view.state == ServiceState::stopping) return d.name() + ": stopping";
        return d.name() + ": not " + to_string(edge.condition) + " yet";
    }
    return "";
}

}  // namespace tend
