#include "tend/config/replica_scale.hpp"

#include <algorithm>
#include <cstdlib>

#include "tend/config/compose_keys.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/replicas.hpp"

namespace tend {
namespace {

// New instances as the load finishes services: profiles, the sets they depend on, their user.
void finish_instances(std::vector<ServiceSpec>& made, Config& config, const CredentialLookup& lookup) {
    const char* profiles = std::getenv("TEND_PROFILES");
    apply_profiles(made, profiles ? profiles : "");
    for (ServiceSpec& spec : made) {
        expand_replica_dependencies(spec, config.replica_sets);
        if (!spec.identity) continue;
        try {
            spec.credentials = lookup(spec.identity->user.value_or("0"), spec.identity->group);
        } catch (const CredentialError& e) {
            throw ConfigError({{spec.where, "services." + spec.name + ": " + e.what()}});
        }
    }
}

// After the set's last instance, or at the end when it has none.
std::vector<ServiceSpec>::iterator insertion_point(std::vector<ServiceSpec>& services, const std::string& name) {
    auto last = std::find_if(services.rbegin(), services.rend(),
                             [&](const ServiceSpec& s) { return s.replica_of == name; });
    return last == services.rend() ? services.end() : last.base();
}

// Each dependant's dependencies on the set, one per instance again.
void expand_dependants(Config& config, const std::string& name, const ReplicaSet& set) {
    for (const auto& entry : set.dependants) {
        const auto& dependant = entry.first;  // named, not bound: clang 14 cannot capture a structured binding
        const auto& written = entry.second;
        auto spec = std::find_if(config.services.begin(), config.services.end(),
                                 [&](const ServiceSpec& s) { return s.name == dependant; });
        if (spec == config.services.end()) continue;  // an instance scaled away since
        auto& deps = spec->depends_on;
        auto of_set = [&](const Dependency& d) { return d.of_set == name; };
        // The new ones go where the old ones began, so the order written holds.
        const auto at = std::find_if(deps.begin(), deps.end(), of_set) - deps.begin();
        deps.erase(std::remove_if(deps.begin(), deps.end(), of_set), deps.end());
        std::vector<Dependency> each;
        for (int i = 0; i < set.count; ++i) {
            Dependency d = written;
            d.name = replica_name(name, i);
            d.of_set = name;
            each.push_back(std::move(d));
        }
        deps.insert(deps.begin() + at, each.begin(), each.end());
    }
}

}  // namespace

void rescale(Config& config, const std::string& name, int count, const CredentialLookup& lookup) {
    ReplicaSet& set = config.replica_sets.at(name);
    if (count < set.count) {
        std::erase_if(config.services, [&](const ServiceSpec& s) { return s.replica_of == name && s.replica >= count; });
    } else if (count > set.count) {
        if (!set.recipe) throw ConfigError({{{config.file, 0, 0}, "services." + name + ": its definition was not kept; reload to change it"}});
        std::vector<ServiceSpec> made = make_instances(*set.recipe, set.count, count);
        finish_instances(made, config, lookup);
        auto at = insertion_point(config.services, name);
        config.services.insert(at, std::make_move_iterator(made.begin()), std::make_move_iterator(made.end()));
    }
    set.count = count;
    expand_dependants(config, name, set);
}

}  // namespace tend
