#include "tend/supervisor/ordering.hpp"

namespace tend {

bool dependency_satisfied(const ServiceView& dependency) {
    return dependency.state == ServiceState::running ||
           (dependency.state == ServiceState::exited && dependency.exited_successfully);
}

bool dependencies_started(const DependencyGraph& graph, std::size_t service, const std::vector<ServiceView>& views) {
    for (std::size_t dep : graph.dependencies(service))
        if (!dependency_satisfied(views[dep])) return false;
    return true;
}

std::vector<std::size_t> services_to_stop(const DependencyGraph& graph, const std::vector<ServiceView>& views) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < views.size(); ++i) {
        if (is_down(views[i].state) || views[i].state == ServiceState::stopping) continue;
        bool dependents_down = true;
        for (std::size_t d : graph.dependents(i)) dependents_down = dependents_down && is_down(views[d].state);
        if (dependents_down) out.push_back(i);
    }
    return out;
}

}  // namespace tend
