// The stops a reload still has to make, apart from the supervisor that makes
// them: removed and changed services stop in reverse (old) dependency order,
// each once the stops of its old dependents are done; a changed service then
// takes its new definition and its goal says whether it starts again.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/dependency_graph.hpp"
#include "tend/supervisor/service.hpp"

namespace tend {

class ReloadPlan {
public:
    // A changed service: stopped, then given `next`; `start_after` makes its goal "up" then.
    void replace(Service& service, ServiceSpec next, bool start_after);
    // A removed service: stopped, then retired by the caller.
    void remove(Service& service);
    // Orders the stops by the old graph; `old_order[i]` is the service that was at index i.
    void order(const std::vector<Service*>& old_order, const DependencyGraph& old_graph);

    // Sends `stop` to every service whose turn has come and replaces the
    // definition of those that are down. True once every stop is done.
    bool advance(const std::function<void(Service&)>& stop);

    bool empty() const { return stops_.empty(); }
    void clear() {
        stops_.clear();
        replacing_.clear();
    }
    // Its dependants must wait: the service is being replaced and is not yet down.
    bool replacing(const Service& service) const { return replacing_.contains(&service); }
    // "web, db": the services still stopping.
    std::string waiting() const;

private:
    struct Stop {
        Service* service;
        std::vector<std::size_t> after;   // stop once these stops (of its old dependents) are done
        std::optional<ServiceSpec> next;  // a changed service: its new definition
        bool stop_sent = false;
        bool done = false;
    };
    std::vector<Stop> stops_;
    // Changed services not yet down: asked for every service on each progress
    // pass, so a set rather than a walk of the stops.
    std::unordered_set<const Service*> replacing_;
};

}  // namespace tend
