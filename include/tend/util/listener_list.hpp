// Callbacks registered with an owner (the supervisor's state changes, the
// output router's lines) and the RAII handle that unregisters one. Either side
// may go first: a handle whose list is gone does nothing, and a listener
// removed while the list is being notified is not called again.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace tend {

class Subscription {
public:
    Subscription() = default;
    explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
    Subscription& operator=(Subscription&& other) noexcept {
        if (this != &other) {
            reset();
            cancel_ = std::exchange(other.cancel_, nullptr);
        }
        return *this;
    }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { reset(); }

    // False once there is nothing left to cancel (or never was).
    explicit operator bool() const { return cancel_ != nullptr; }

    void reset() {
        if (auto cancel = std::exchange(cancel_, nullptr)) cancel();
    }

private:
    std::function<void()> cancel_;
};

template <class Callback>
class ListenerList {
public:
    [[nodiscard]] Subscription add(Callback callback) {
        std::uint64_t id = next_id_++;
        entries_->push_back({id, std::move(callback)});
        std::weak_ptr<std::vector<Entry>> weak = entries_;
        return Subscription([weak, id] {
            if (auto entries = weak.lock())
                std::erase_if(*entries, [id](const Entry& e) { return e.id == id; });
        });
    }

    bool empty() const { return entries_->empty(); }

    // Calls visit(callback) for each listener registered when it starts and still registered when its turn comes.
    template <class Visit>
    void for_each(Visit&& visit) const {
        std::vector<std::uint64_t> ids;
        ids.reserve(entries_->size());
        for (const Entry& e : *entries_) ids.push_back(e.id);
        for (std::uint64_t id : ids) {
            auto it = std::find_if(entries_->begin(), entries_->end(), [id](const Entry& e) { return e.id == id; });
            if (it == entries_->end()) continue;
            Callback callback = it->callback;  // the entry may be removed while it runs
            visit(callback);
        }
    }

private:
    struct Entry {
        std::uint64_t id;
        Callback callback;
    };

    std::shared_ptr<std::vector<Entry>> entries_ = std::make_shared<std::vector<Entry>>();
    std::uint64_t next_id_ = 1;
};

}  // namespace tend
