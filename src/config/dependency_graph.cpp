#include "tend/config/dependency_graph.hpp"

#include <algorithm>
#include <map>

#include "tend/util/edit_distance.hpp"

namespace tend {

DependencyGraph::DependencyGraph(const std::vector<ServiceSpec>& services)
    : deps_(services.size()), dependents_(services.size()) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < services.size(); ++i) index[services[i].name] = i;
    for (std::size_t i = 0; i < services.size(); ++i)
        for (const auto& dep : services[i].depends_on) {
            auto it = index.find(dep.name);
            if (it == index.end()) continue;
            if (std::find(deps_[i].begin(), deps_[i].end(), it->second) != deps_[i].end()) continue;
            deps_[i].push_back(it->second);
            dependents_[it->second].push_back(i);
        }
    problems_ = find_problems(services);
}

std::vector<Diagnostic> DependencyGraph::find_problems(const std::vector<ServiceSpec>& services) const {
    std::vector<Diagnostic> problems;
    std::vector<std::string> names;
    for (const auto& s : services) names.push_back(s.name);
    for (const auto& s : services)
        for (const auto& dep : s.depends_on) {
            if (dep.name == s.name)
                problems.push_back({dep.where, "services." + s.name + ".depends_on: a service cannot depend on itself"});
            else if (std::find(names.begin(), names.end(), dep.name) == names.end())
                problems.push_back({dep.where, "services." + s.name + ".depends_on: no such service '" + dep.name +
                                                   "'" + did_you_mean(dep.name, names)});
        }

    // Depth-first search with colours; a grey node met again closes a cycle.
    enum class Colour { white, grey, black };
    std::vector<Colour> colour(services.size(), Colour::white);
    std::vector<std::size_t> stack;
    auto visit = [&](auto&& self, std::size_t node) -> void {
        colour[node] = Colour::grey;
        stack.push_back(node);
        for (std::size_t dep : deps_[node]) {
            if (dep == node) continue;  // reported above
            if (colour[dep] == Colour::grey) {
                auto start = std::find(stack.begin(), stack.end(), dep);
                std::string cycle;
                for (auto it = start; it != stack.end(); ++it) cycle += services[*it].name + " -> ";
                cycle += services[dep].name;
                SourceLocation where = services[node].where;
                for (const auto& d : services[node].depends_on)
                    if (d.name == services[dep].name) where = d.where;
                problems.push_back({where, "services." + services[node].name + ".depends_on: dependency cycle " + cycle});
            } else if (colour[dep] == Colour::white) {
                self(self, dep);
            }
        }
        stack.pop_back();
        colour[node] = Colour::black;
    };
    for (std::size_t i = 0; i < services.size(); ++i)
        if (colour[i] == Colour::white) visit(visit, i);
    return problems;
}

std::vector<std::size_t> DependencyGraph::start_order() const {
    // Kahn's algorithm, taking ready services in config order so the order is stable.
    const std::size_t count = deps_.size();
    std::vector<std::size_t> pending(count);
    for (std::size_t i = 0; i < count; ++i) pending[i] = deps_[i].size();
    std::vector<std::size_t> order;
    std::vector<bool> done(count, false);
    while (order.size() < count) {
        bool progressed = false;
        for (std::size_t i = 0; i < count; ++i) {
            if (done[i] || pending[i] != 0) continue;
            done[i] = true;
            progressed = true;
            order.push_back(i);
            for (std::size_t d : dependents_[i]) --pending[d];
        }
        if (!progressed) break;  // a cycle: problems() reports it
    }
    return order;
}

}  // namespace tend
