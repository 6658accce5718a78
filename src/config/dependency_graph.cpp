#include "tend/config/dependency_graph.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "tend/util/edit_distance.hpp"

namespace tend {

// Every walk here is iterative and linear: a config may hold a chain of tens of
// thousands of services, and PID 1 must not recurse its stack away checking it.

DependencyGraph::DependencyGraph(const std::vector<ServiceSpec>& services, std::span<const std::string> rejected)
    : deps_(services.size()), edges_(services.size()), dependents_(services.size()) {
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(services.size());
    for (std::size_t i = 0; i < services.size(); ++i) index.emplace(services[i].name, i);
    for (std::size_t i = 0; i < services.size(); ++i)
        for (const auto& dep : services[i].depends_on) {
            auto it = index.find(dep.name);
            if (it == index.end()) continue;
            if (std::find(deps_[i].begin(), deps_[i].end(), it->second) != deps_[i].end()) continue;
            deps_[i].push_back(it->second);
            edges_[i].push_back({it->second, dep.condition, dep.required});
            dependents_[it->second].push_back(i);
        }
    problems_ = find_problems(services, index, rejected);
}

namespace {

// Names that depend on themselves or on nothing defined. Past the errors that
// are shown there is no suggestion: each one is a pass over every name.
std::vector<Diagnostic> missing_dependencies(const std::vector<ServiceSpec>& services,
                                             const std::unordered_map<std::string_view, std::size_t>& index,
                                             std::span<const std::string> rejected) {
    std::vector<Diagnostic> problems;
    std::unordered_set<std::string_view> defined_with_errors(rejected.begin(), rejected.end());
    std::vector<std::string> names;  // made once, at the first name to suggest against
    for (const auto& s : services)
        for (const auto& dep : s.depends_on) {
            const std::string path = "services." + s.name + ".depends_on: ";
            if (dep.name == s.name) {
                problems.push_back({dep.where, path + "a service cannot depend on itself"});
                continue;
            }
            if (auto found = index.find(dep.name); found != index.end()) {
                if (services[found->second].schedule)
                    problems.push_back({dep.where, path + dep.name + " is a scheduled job: it is never running, so nothing "
                                                          "can wait for it (a one-shot without schedule can be waited for)"});
                continue;
            }
            if (defined_with_errors.contains(dep.name)) continue;
            std::string hint;
            if (problems.size() < kShownConfigErrors) {
                if (names.empty())
                    for (const auto& other : services) names.push_back(other.name);
                auto match = closest_match(dep.name, names);
                if (match && *match != s.name) hint = " (did you mean '" + *match + "'?)";  // never itself
            }
            problems.push_back({dep.where, path + "no such service '" + dep.name + "'" + hint});
        }
    return problems;
}

}  // namespace

std::vector<Diagnostic> DependencyGraph::find_problems(const std::vector<ServiceSpec>& services,
                                                      const std::unordered_map<std::string_view, std::size_t>& index,
                                                      std::span<const std::string> rejected) const {
    std::vector<Diagnostic> problems = missing_dependencies(services, index, rejected);

    // Depth-first search with colours and an explicit stack of (node, next edge);
    // a grey node met again closes a cycle.
    enum class Colour { white, grey, black };
    std::vector<Colour> colour(services.size(), Colour::white);
    std::vector<std::pair<std::size_t, std::size_t>> stack;
    auto report_cycle = [&](std::size_t node, std::size_t dep) {
        auto start = std::find_if(stack.begin(), stack.end(), [dep](const auto& frame) { return frame.first == dep; });
        std::string cycle;
        for (auto it = start; it != stack.end(); ++it) cycle += services[it->first].name + " -> ";
        cycle += services[dep].name;
        SourceLocation where = services[node].where;
        for (const auto& d : services[node].depends_on)
            if (d.name == services[dep].name) where = d.where;
        problems.push_back({where, "services." + services[node].name + ".depends_on: dependency cycle " + cycle});
    };
    for (std::size_t root = 0; root < services.size(); ++root) {
        if (colour[root] != Colour::white) continue;
        colour[root] = Colour::grey;
        stack.emplace_back(root, 0);
        while (!stack.empty()) {
            auto& [node, next] = stack.back();
            if (next == deps_[node].size()) {
                colour[node] = Colour::black;
                stack.pop_back();
                continue;
            }
            std::size_t dep = deps_[node][next++];
            if (dep == node) continue;  // reported above
            if (colour[dep] == Colour::grey) {
                report_cycle(node, dep);
            } else if (colour[dep] == Colour::white) {
                colour[dep] = Colour::grey;
                stack.emplace_back(dep, 0);  // `node` and `next` are not used after this
            }
        }
    }
    return problems;
}

std::vector<std::size_t> DependencyGraph::start_order() const {
    // Kahn's algorithm; among the services ready at once the earliest in the
    // config goes first, so the order is stable.
    const std::size_t count = deps_.size();
    std::vector<std::size_t> pending(count);
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t i = 0; i < count; ++i) {
        pending[i] = deps_[i].size();
        if (pending[i] == 0) ready.push(i);
    }
    std::vector<std::size_t> order;
    order.reserve(count);
    while (!ready.empty()) {
        std::size_t next = ready.top();
        ready.pop();
        order.push_back(next);
        for (std::size_t d : dependents_[next])
            if (--pending[d] == 0) ready.push(d);
    }
    return order;  // shorter than count only on a cycle, which problems() reports
}

}  // namespace tend
