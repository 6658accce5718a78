#include "tend/supervisor/reload_plan.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace tend {

void ReloadPlan::replace(Service& service, ServiceSpec next, bool start_after) {
    stops_.push_back({&service, {}, std::move(next)});
    replacing_.insert(&service);
    // The goal the service has once replaced; the plan takes the steps until then.
    service.goal = {start_after ? service.run_want() : Want::down, false, true};
}

void ReloadPlan::remove(Service& service) {
    stops_.push_back({&service, {}, std::nullopt});
    service.goal = {Want::down, false, true};
}

// Each stop waits for the stops of its old dependents, also through old
// dependents that are down (an init job that ran): db <- migrate <- app. Kept
// in the old stop order (the reverse of the old start order) so one pass
// usually settles them.
void ReloadPlan::order(const std::vector<Service*>& old_order, const DependencyGraph& old_graph) {
    std::unordered_map<const Service*, std::size_t> old_index;
    for (std::size_t i = 0; i < old_order.size(); ++i) old_index.emplace(old_order[i], i);
    std::vector<std::size_t> stop_rank(old_order.size());
    std::vector<std::size_t> old_start = old_graph.start_order();
    for (std::size_t rank = 0; rank < old_start.size(); ++rank) stop_rank[old_start[rank]] = old_start.size() - rank;
    std::sort(stops_.begin(), stops_.end(), [&](const Stop& a, const Stop& b) {
        return stop_rank[old_index.at(a.service)] < stop_rank[old_index.at(b.service)];
    });
    std::unordered_map<const Service*, std::size_t> stop_of;
    for (std::size_t i = 0; i < stops_.size(); ++i) stop_of.emplace(stops_[i].service, i);
    for (auto& stop : stops_) {
        std::vector<std::size_t> todo = old_graph.dependents(old_index.at(stop.service));
        std::unordered_set<std::size_t> seen(todo.begin(), todo.end());
        while (!todo.empty()) {
            std::size_t dependent = todo.back();
            todo.pop_back();
            if (auto it = stop_of.find(old_order[dependent]); it != stop_of.end()) {
                stop.after.push_back(it->second);
                continue;
            }
            if (!is_down(old_order[dependent]->state())) continue;
            for (std::size_t further : old_graph.dependents(dependent))
                if (seen.insert(further).second) todo.push_back(further);
        }
    }
}

bool ReloadPlan::advance(const std::function<void(Service&)>& stop_service) {
    auto is_done = [this](std::size_t stop) { return stops_[stop].done; };
    // Finishing one stop may free the next (its dependency), so go round until nothing moves.
    for (bool moved = true; moved;) {
        moved = false;
        for (auto& stop : stops_) {
            if (stop.done) continue;
            if (!stop.stop_sent) {
                if (!std::all_of(stop.after.begin(), stop.after.end(), is_done)) continue;
                stop.stop_sent = true;
                stop_service(*stop.service);
            }
            if (!is_down(stop.service->state())) continue;
            stop.done = true;
            moved = true;
            if (stop.next) {
                replacing_.erase(stop.service);
                stop.service->replace_spec(*stop.next);
                stop.next.reset();  // the parsed spec goes now, not at the plan's end
                // Its start, when the goal set at replace() (or changed since) is up, is owed now.
                if (stop.service->goal.want != Want::down) stop.service->goal.reached = false;
            }
        }
    }
    return std::all_of(stops_.begin(), stops_.end(), [](const Stop& s) { return s.done; });
}

std::string ReloadPlan::waiting() const {
    std::string names;
    for (const auto& stop : stops_)
        if (!stop.done) names += (names.empty() ? "" : ", ") + stop.service->name();
    return names;
}

}  // namespace tend
