#include <doctest/doctest.h>

#include "tend/http/body_budget.hpp"

namespace unit_body_budget_test {

using namespace tend;

TEST_CASE("bodies are held within the budget, given back when their hold goes, and refused past it") {
    BodyBudget budget(100);
    BodyBudget::Hold a, b;
    CHECK(a.grow(budget, 60));
    CHECK(budget.held() == 60);
    CHECK_FALSE(b.grow(budget, 41));  // 60 + 41 > 100
    CHECK(b.bytes() == 0);
    CHECK(b.grow(budget, 40));
    CHECK(budget.held() == 100);
    CHECK_FALSE(a.grow(budget, 61));  // refused: a keeps its 60
    CHECK(a.bytes() == 60);
    CHECK(a.grow(budget, 10));  // less than held: nothing changes
    CHECK(a.bytes() == 60);
    a.release();
    CHECK(budget.held() == 40);
    {
        BodyBudget::Hold c;
        CHECK(c.grow(budget, 60));
        BodyBudget::Hold moved = std::move(c);
        CHECK(budget.held() == 100);
    }
    CHECK(budget.held() == 40);  // the moved hold gave its bytes back once
}

}  // namespace unit_body_budget_test
