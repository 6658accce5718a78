// The request bodies the HTTP front holds at once, summed over all its
// connections (and over both listeners while a reload moves it): each
// connection's own bound (max_body, 1 MiB) times the connections one client
// may open (64) would let one loopback client make PID 1 hold 64 MiB. A body
// is admitted only while the sum stays under the limit; past it the request
// gets 503 and its body is not kept (HttpDaemon).
#pragma once

#include <cstddef>
#include <utility>

namespace tend {

class BodyBudget {
public:
    explicit BodyBudget(std::size_t limit) : limit_(limit) {}
    BodyBudget(const BodyBudget&) = delete;
    BodyBudget& operator=(const BodyBudget&) = delete;

    std::size_t limit() const { return limit_; }
    std::size_t held() const { return held_; }

    // What one request's body holds of the budget, given back when it goes.
    class Hold {
    public:
        Hold() = default;
        Hold(Hold&& other) noexcept
            : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
        Hold& operator=(Hold&& other) noexcept {
            if (this != &other) {
                release();
                budget_ = std::exchange(other.budget_, nullptr);
                bytes_ = std::exchange(other.bytes_, 0);
            }
            return *this;
        }
        ~Hold() { release(); }

        std::size_t bytes() const { return bytes_; }
        // Holds `total` bytes in all (no less than it holds now); false, holding
        // what it held, when the budget has not that much left.
        bool grow(BodyBudget& budget, std::size_t total) {
            if (budget_ && budget_ != &budget) return false;
            if (total <= bytes_) return true;
            std::size_t more = total - bytes_;
            if (more > budget.limit_ - budget.held_) return false;
            budget.held_ += more;
            budget_ = &budget;
            bytes_ = total;
            return true;
        }
        void release() {
            if (budget_) budget_->held_ -= bytes_;
            budget_ = nullptr;
            bytes_ = 0;
        }

    private:
        BodyBudget* budget_ = nullptr;
        std::size_t bytes_ = 0;
    };

private:
    std::size_t limit_;
    std::size_t held_ = 0;
};

}  // namespace tend
