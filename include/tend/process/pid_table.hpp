// Who owns each child pid tend waits for: a service's main process today, and
// the processes a readiness probe or health check spawns later. The reaper asks
// it for every pid it reaps; only a pid nobody registered is an adopted orphan.
// Owners are opaque ids (a service's id), so this layer knows nothing of services.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

namespace tend {

// main: a service's main process; probe: a readiness or health check command it runs.
enum class PidRole { main, probe };

struct PidOwner {
    std::uint64_t owner;  // the id of the service the pid belongs to
    PidRole role = PidRole::main;

    bool operator==(const PidOwner&) const = default;
};

class PidTable {
public:
    // A pid is registered once, when it is spawned; registering it again replaces the owner.
    void add(pid_t pid, PidOwner owner) { owners_[pid] = owner; }
    // The owner of a reaped pid, unregistered at the same time; nullopt for an orphan.
    std::optional<PidOwner> take(pid_t pid);
    // Drops every pid of an owner that is going away (a service a reload removed).
    void forget(std::uint64_t owner);
    std::size_t size() const { return owners_.size(); }

private:
    std::unordered_map<pid_t, PidOwner> owners_;
};

}  // namespace tend
