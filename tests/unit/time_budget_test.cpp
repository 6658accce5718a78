#include <doctest/doctest.h>

#include "tend/util/time_budget.hpp"

namespace unit_time_budget_test {

using namespace tend;
using namespace std::chrono_literals;

TEST_CASE("work is refused once its share of the window is spent, and admitted again in the next window") {
    TimeBudget budget(100ms, 20ms);
    const TimeBudget::TimePoint t0 = std::chrono::steady_clock::time_point{} + 1h;
    CHECK(budget.available(t0));
    budget.spend(15ms);
    CHECK(budget.available(t0 + 15ms));
    budget.spend(6ms);
    CHECK_FALSE(budget.available(t0 + 21ms));
    CHECK_FALSE(budget.available(t0 + 99ms));
    CHECK(budget.available(t0 + 100ms));
    budget.spend(20ms);
    CHECK_FALSE(budget.available(t0 + 120ms));
    CHECK(budget.available(t0 + 250ms));
}

TEST_CASE("a budget that never spends is always available") {
    TimeBudget budget(100ms, 20ms);
    const TimeBudget::TimePoint t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (int i = 0; i < 1000; ++i) CHECK(budget.available(t0 + std::chrono::milliseconds(i)));
}

}  // namespace unit_time_budget_test
