#include "tend/process/pid_table.hpp"

namespace tend {

std::optional<PidOwner> PidTable::take(pid_t pid) {
    auto it = owners_.find(pid);
    if (it == owners_.end()) return std::nullopt;
    PidOwner owner = it->second;
    owners_.erase(it);
    return owner;
}

void PidTable::forget(std::uint64_t owner) {
    std::erase_if(owners_, [owner](const auto& entry) { return entry.second.owner == owner; });
}

}  // namespace tend
