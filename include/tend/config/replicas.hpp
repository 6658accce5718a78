// `replicas: N` (and compose's `deploy: {replicas: N}`): one definition, N
// services named NAME-0 … NAME-(N-1). Each instance is its definition read
// again with ${TEND_REPLICA} (0-based) and ${TEND_SERVICE} (the instance's
// name) set for interpolation; both are exported to its environment too.
// Everything past the loader (supervisor, reload, status) sees plain services
// that remember the set they belong to (ServiceSpec::replica_of).
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "tend/config/config.hpp"
#include "tend/config/config_interpolation.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// More would be a typo, not a plan: each instance is a process group and a status row.
inline constexpr long long kMaxReplicas = 10000;

// A set's definition as written (before interpolation, without `replicas:`),
// kept so that `tendctl scale` reads new instances as the load read the first.
struct ReplicaRecipe {
    std::string name;
    std::string file;
    YAML::Node key;
    YAML::Node node;
    ConfigVariables variables;  // a copy: the load's own are gone by then
};

// Whether a service's mapping asks for replicas (has `replicas:` or `deploy:`).
bool is_replicated(const YAML::Node& service);

// Instance `index` of set `base`: "worker-3".
std::string replica_name(const std::string& base, int index);

// Reads, checks and expands one replicated service. Appends the instances to
// `out` and records the set in config.replica_sets. `source` is the text the
// node was read from (for error columns).
void expand_replicas(YamlReader& reader, const std::string& name, const YAML::Node& key, YAML::Node node,
                     std::string_view source, const ConfigVariables& variables, InterpolationBudget& budget,
                     Config& config, std::vector<ServiceSpec>& out);

// Instances `from` … `to - 1` of a set, read from its recipe; throws ConfigError.
std::vector<ServiceSpec> make_instances(const ReplicaRecipe& recipe, int from, int to);

// depends_on naming a set means every instance of it; a set of 0 instances is
// no dependency at all (trivially satisfied). Each set records its dependants.
void expand_replica_dependencies(Config& config);
// The same for one service (an instance `tendctl scale` made).
void expand_replica_dependencies(ServiceSpec& spec, std::map<std::string, ReplicaSet>& sets);

}  // namespace tend
