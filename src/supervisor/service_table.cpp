#include "tend/supervisor/service_table.hpp"

#include "tend/util/edit_distance.hpp"

namespace tend {

Service* ServiceTable::find(const std::string& name) const {
    for (const auto& s : configured_)
        if (s->name() == name) return s.get();
    return nullptr;
}

Service* ServiceTable::find(std::uint64_t id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
}

Service* ServiceTable::find_any(std::uint64_t id) const {
    if (Service* s = find(id)) return s;
    for (const auto& s : retiring_)
        if (s->id() == id) return s.get();
    return nullptr;
}

std::string ServiceTable::no_such_service(const std::string& name) const {
    std::vector<std::string> names;
    names.reserve(configured_.size());
    for (const auto& s : configured_) names.push_back(s->name());
    auto match = closest_match(name, names);
    return "no such service: " + name + (match ? " (did you mean " + *match + "?)" : "");
}

void ServiceTable::set(List configured) {
    configured_ = std::move(configured);
    by_id_.clear();
    for (const auto& s : configured_) by_id_.emplace(s->id(), s.get());
}

}  // namespace tend
