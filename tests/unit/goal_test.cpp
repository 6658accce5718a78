#include <doctest/doctest.h>

#include <string>

#include "tend/service/goal.hpp"

namespace unit_goal_test {

using namespace tend;

TEST_CASE("a request sets a goal whose step is owed until taken") {
    Goal up = wanted(Want::up);
    CHECK(up.start_owed());
    CHECK_FALSE(up.stop_owed());
    up.reached = true;
    CHECK_FALSE(up.start_owed());

    Goal once = wanted(Want::once);
    CHECK(once.start_owed());

    Goal down = wanted(Want::down, true);
    CHECK(down.stop_owed());
    CHECK(down.stopped_by_operator());
    down.reached = true;
    CHECK(down.stopped_by_operator());  // kept once the stop is done: it survives reloads
}

TEST_CASE("only a down goal can come from the operator; the default is down, reached, nobody's") {
    CHECK_FALSE(wanted(Want::up, true).from_operator);
    Goal initial;
    CHECK(initial.want == Want::down);
    CHECK(initial.reached);
    CHECK_FALSE(initial.stopped_by_operator());
    CHECK(std::string(to_string(Want::once)) == "once");
}

}  // namespace unit_goal_test
