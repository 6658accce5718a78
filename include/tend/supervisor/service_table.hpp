// The services tend supervises and how they are found: the configured ones,
// in config order, by name or by id; and the ones a reload removed that are
// still stopping ("retiring"), which only their own timers and exits look up.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tend/supervisor/service.hpp"

namespace tend {

class ServiceTable {
public:
    using List = std::vector<std::unique_ptr<Service>>;

    // The configured services, in config order (a service's index() is its place).
    auto begin() const { return configured_.begin(); }
    auto end() const { return configured_.end(); }
    auto rbegin() const { return configured_.rbegin(); }
    auto rend() const { return configured_.rend(); }
    std::size_t size() const { return configured_.size(); }
    bool empty() const { return configured_.empty(); }
    Service& operator[](std::size_t index) const { return *configured_[index]; }
    Service& front() const { return *configured_.front(); }

    Service* find(const std::string& name) const;
    // The configured service with this id, or null once a reload removed it.
    Service* find(std::uint64_t id) const;
    // Also among the retiring ones.
    Service* find_any(std::uint64_t id) const;
    // "no such service: webb (did you mean web?)"
    std::string no_such_service(const std::string& name) const;

    // Every service that may still have processes: configured, then retiring.
    template <class Visit>
    void for_every(Visit&& visit) const {
        for (const List* list : {&configured_, &retiring_})
            for (const auto& s : *list) visit(*s);
    }
    const List& retiring() const { return retiring_; }

    // Ids are never reused, so a hook holding one finds nothing once its service is gone.
    std::uint64_t next_id() { return next_id_++; }
    // A reload's new list: takes the old one out, and puts the new one in.
    List take() {
        by_id_.clear();
        return std::exchange(configured_, {});
    }
    void set(List configured);
    void retire(std::unique_ptr<Service> service) { retiring_.push_back(std::move(service)); }
    List end_retiring() { return std::exchange(retiring_, {}); }

private:
    List configured_;
    List retiring_;
    std::unordered_map<std::uint64_t, Service*> by_id_;  // configured_ only
    std::uint64_t next_id_ = 1;
};

}  // namespace tend
