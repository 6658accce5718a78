// Why a service that is owed a start does not start yet, in the words the
// log, `tendctl status` and the health endpoint show.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tend/config/dependency_graph.hpp"
#include "tend/supervisor/ordering.hpp"
#include "tend/supervisor/service_table.hpp"

namespace tend {

// A required dependency that gave up (fatal, failed, or exited unsuccessfully
// with no restart due) or is itself blocked: "waiting for db: fatal"; the
// first one found is named. "" when none. `views`: what each service is now
// (Service::view(), by index), made once for all the services asked about.
std::string why_blocked(const DependencyGraph& graph, const ServiceTable& services, std::size_t index,
                        const std::vector<ServiceView>& views);

// The first dependency whose condition is not met yet, and what it lacks:
// "redis: not ready yet". Only asked when none of them gave up.
std::string why_waiting(const DependencyGraph& graph, const ServiceTable& services, std::size_t index,
                        const std::vector<ServiceView>& views);

}  // namespace tend
