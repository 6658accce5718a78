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
    bool exited_successfully = false;  // exited state with a success exit code
};

// A dependency counts as started once running (past min_uptime), or when it
// has exited successfully and will not restart (an init job).
bool dependency_satisfied(const ServiceView& dependency);

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
