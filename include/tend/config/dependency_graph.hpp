// The depends_on relation between services: checked for missing names and
// cycles, and turned into a start order (dependencies first) whose reverse is
// the stop order.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/config_error.hpp"

namespace tend {

class DependencyGraph {
public:
    // Throws nothing; problems are kept for problems(). Keeps no reference to `services`.
    // `rejected`: names defined with errors elsewhere; naming one is not "no such service".
    explicit DependencyGraph(const std::vector<ServiceSpec>& services, std::span<const std::string> rejected = {});

    // A missing name or a cycle, each with the position of the offending depends_on entry.
    const std::vector<Diagnostic>& problems() const { return problems_; }

    // Indices into the services vector; dependencies come before their dependents.
    // Only meaningful when problems() is empty.
    std::vector<std::size_t> start_order() const;

    const std::vector<std::size_t>& dependencies(std::size_t service) const { return deps_[service]; }
    // The same dependencies with what the dependant waits for; edges(i)[k] is dependencies(i)[k].
    struct Edge {
        std::size_t index;
        DependencyCondition condition;
        bool required;
    };
    const std::vector<Edge>& edges(std::size_t service) const { return edges_[service]; }
    const std::vector<std::size_t>& dependents(std::size_t service) const { return dependents_[service]; }

private:
    std::vector<Diagnostic> find_problems(const std::vector<ServiceSpec>& services,
                                          const std::unordered_map<std::string_view, std::size_t>& index,
                                          std::span<const std::string> rejected) const;

    std::vector<std::vector<std::size_t>> deps_;
    std::vector<std::vector<Edge>> edges_;
    std::vector<std::vector<std::size_t>> dependents_;
    std::vector<Diagnostic> problems_;
};

}  // namespace tend
