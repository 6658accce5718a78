// tendctl scale, and what shows a replicas: set with no instance.
#include "tend/supervisor/operations.hpp"

#include <algorithm>

#include "tend/config/replicas.hpp"

namespace tend {
namespace {

// Why `name` cannot be scaled, when it is a service but not a set.
std::string not_a_set(const Supervisor& supervisor, const std::string& name) {
    for (const auto& s : supervisor.services())
        if (s->name() == name && !s->spec().replica_of.empty())
            return name + " is an instance of " + s->spec().replica_of + ": scale the set (tendctl scale " +
                   s->spec().replica_of + " N)";
    return name + " is not a replicas: set; give it 'replicas: N' in the config to run and scale copies of it";
}

std::string diagnostics_text(const std::vector<Diagnostic>& errors) {
    std::string text;
    for (const auto& d : errors) text += "\n" + d.to_string();
    return text;
}

}  // namespace

std::vector<ServiceStatus> Operations::empty_sets(const std::vector<std::string>& names) const {
    const bool all = names.empty() || std::find(names.begin(), names.end(), "all") != names.end();
    std::vector<ServiceStatus> rows;
    for (const auto& [name, set] : supervisor_.replica_sets()) {
        if (set.count != 0 || (!all && std::find(names.begin(), names.end(), name) == names.end())) continue;
        ServiceStatus row;
        row.name = name;
        row.state = "empty";
        rows.push_back(std::move(row));
    }
    return rows;
}

Subscription Operations::scale(const std::string& name, long long count, ScaleCompletion done) {
    refuse_during_shutdown();
    auto set = supervisor_.replica_sets().find(name);
    if (set == supervisor_.replica_sets().end()) {
        if (supervisor_.services().find(name)) throw Refusal(not_a_set(supervisor_, name));
        throw Refusal(supervisor_.services().no_such_service(name));
    }
    if (count < 0 || count > kMaxReplicas)
        throw Refusal("cannot scale " + name + " to " + std::to_string(count) +
                      ": expected a whole number of instances from 0 to " + std::to_string(kMaxReplicas));
    ScaleResult result{name, set->second.count, static_cast<int>(count)};
    // Surplus instances stop as a reload's removed services do: what they can take is their stop_timeout.
    std::vector<Service*> surplus;
    for (const auto& s : supervisor_.services())
        if (s->spec().replica_of == name && s->spec().replica >= count) surplus.push_back(s.get());
    const Duration timeout = stop_budget(surplus) + std::chrono::seconds(5);
    ReloadOutcome outcome = supervisor_.scale(name, result.to);
    if (!outcome.refused.empty()) throw Refusal("cannot scale " + name + ": " + outcome.refused);
    if (!outcome.errors.empty()) throw Refusal("cannot scale " + name + ":" + diagnostics_text(outcome.errors));
    auto check = [this]() -> std::optional<std::string> {
        if (supervisor_.reloading()) return std::nullopt;
        return std::string();
    };
    return pend(timeout, "scale timed out after " + format_duration(timeout) + ": instances were still stopping",
                std::move(check), [result, done = std::move(done)](const std::string& error) {
                    done(Outcome{error}, result);
                });
}

}  // namespace tend
