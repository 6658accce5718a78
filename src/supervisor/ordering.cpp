#include "tend/supervisor/ordering.hpp"

#include <unordered_set>

namespace tend {

bool condition_met(const ServiceView& d, DependencyCondition condition) {
    if (d.exited_successfully || d.oneshot) return d.exited_successfully;
    switch (condition) {
        case DependencyCondition::started:
            return d.state == ServiceState::running || (d.state == ServiceState::starting && d.started);
        case DependencyCondition::ready: return d.state == ServiceState::running;
        case DependencyCondition::healthy: return d.state == ServiceState::running && d.healthy;
        case DependencyCondition::completed: return false;  // still to end
    }
    return false;
}

bool dependency_gave_up(const ServiceView& d) {
    return gave_up(d.state) || (d.state == ServiceState::exited && !d.exited_successfully);
}

bool dependencies_started(const DependencyGraph& graph, std::size_t service, const std::vector<ServiceView>& views) {
    for (const auto& edge : graph.edges(service)) {
        const ServiceView& d = views[edge.index];
        if (condition_met(d, edge.condition)) continue;
        if (!edge.required && dependency_gave_up(d)) continue;
        return false;
    }
    return true;
}

bool dependent_blocks(const DependencyGraph& graph, std::size_t service, const std::vector<ServiceView>& views,
                      const std::function<bool(std::size_t)>& blocks) {
    std::vector<std::size_t> todo(graph.dependents(service).begin(), graph.dependents(service).end());
    std::unordered_set<std::size_t> seen(todo.begin(), todo.end());
    while (!todo.empty()) {
        std::size_t d = todo.back();
        todo.pop_back();
        if (blocks(d)) return true;
        if (!is_down(views[d].state)) continue;
        for (std::size_t next : graph.dependents(d))
            if (seen.insert(next).second) todo.push_back(next);
    }
    return false;
}

std::vector<std::size_t> services_to_stop(const DependencyGraph& graph, const std::vector<ServiceView>& views) {
    std::vector<std::size_t> out;
    auto up = [&](std::size_t d) { return !is_down(views[d].state); };
    // Unrelated services in reverse config order: a set's instances highest first, as they started lowest first.
    for (std::size_t i = views.size(); i-- > 0;) {
        if (is_down(views[i].state) || views[i].state == ServiceState::stopping) continue;
        if (!dependent_blocks(graph, i, views, up)) out.push_back(i);
    }
    return out;
}

}  // namespace tend
