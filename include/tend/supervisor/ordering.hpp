// When a service may start (its dependencies have started) and when it may
// stop during shutdown (everything that depends on it is down): the rules that
// give dependency order on the way up and its reverse on the way down.
#pragma once

#include <functional>
#include <vector>

#include "tend/config/dependency_graph.hpp"
#include "tend/service/service_state.hpp"

namespace tend {

struct ServiceView {
    ServiceState state = ServiceState::stopped;
    bool exited_successfully = false;  // exited with a success exit code, or a completed one-shot
    bool started = false;  // past min_uptime in this run
    bool healthy = false;  // its health check passed since it was spawned, or it has none
    bool oneshot = false;
};

// Whether a dependency meets what its dependant waits for. Any condition is
// met by one that ended successfully for good (an init job); a one-shot meets
// every condition only once completed.
bool condition_met(const ServiceView& dependency, DependencyCondition condition);
// The dependency gave up (fatal, failed, or exited unsuccessfully with no restart due).
bool dependency_gave_up(const ServiceView& dependency);

// Every dependency meets its condition; one that is not required may have given up instead.
bool dependencies_started(const DependencyGraph& graph, std::size_t service, const std::vector<ServiceView>& views);

// Whether a service that depends on `service` satisfies `blocks`, directly or
// through dependents that are down: db <- migrate (ran, exited) <- app makes app
// a dependent of db for stopping. The walk does not go past a blocking or an up
// service, so it stays near linear even on long chains.
bool dependent_blocks(const DependencyGraph& graph, std::size_t service, const std::vector<ServiceView>& views,
                      const std::function<bool(std::size_t)>& blocks);

// During shutdown: the services to send a stop now, in no particular order.
// A service is stopped once every service that depends on it, directly or
// through services already down, is down.
std::vector<std::size_t> services_to_stop(const DependencyGraph& graph, const std::vector<ServiceView>& views);

}  // namespace tend
