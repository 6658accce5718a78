// tendctl scale: the running config with one replicas: set at a new count,
// applied through the reload's path, so only the instances added or removed
// move (and the dependants' depends_on lists change in place).
#include "tend/config/replica_scale.hpp"
#include "tend/supervisor/supervisor.hpp"

namespace tend {

ReloadOutcome Supervisor::scale(const std::string& name, int count) {
    ReloadOutcome outcome;
    Config next;
    next.file = options_.config_path;
    next.settings = settings_;
    next.replica_sets = replica_sets_;
    for (const auto& s : services_) next.services.push_back(s->spec());
    try {
        rescale(next, name, count);
    } catch (const ConfigError& e) {
        outcome.errors = e.diagnostics();
        return outcome;
    }
    // E.g. a service that names worker-4 itself, when worker scales to 4.
    const DependencyGraph graph(next.services);
    if (!graph.problems().empty()) {
        outcome.errors = graph.problems();
        return outcome;
    }
    return apply_config(std::move(next), false);
}

}  // namespace tend
