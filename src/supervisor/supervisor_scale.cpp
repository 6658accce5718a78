// tendctl scale: the running config with one replicas: set at a new count,
// applied through the reload's path, so only the instances added or removed
// move (and the dependants' depends_on lists change in place).
#include "tend/supervisor/supervisor.hpp"

#include <spdlog/spdlog.h>

#include "tend/config/replica_scale.hpp"

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
    if (!shutting_down() && !reloading())
        spdlog::info("Scaling {} from {} to {} instances (tendctl scale; the changes are logged as a reload's)", name,
                     replica_sets_.at(name).count, count);
    return apply_config(std::move(next), false);
}

}  // namespace tend
