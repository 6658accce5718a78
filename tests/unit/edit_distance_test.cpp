#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tend/util/edit_distance.hpp"

namespace unit_edit_distance_test {

using namespace tend;

TEST_CASE("edit distance counts insertions, deletions and substitutions") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("restart", "restart") == 0);
    CHECK(edit_distance("restat", "restart") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("a close candidate is suggested, a distant one is not") {
    std::vector<std::string> keys{"restart", "command", "critical"};
    CHECK(did_you_mean("restat", keys) == " (did you mean 'restart'?)");
    CHECK(did_you_mean("comand", keys) == " (did you mean 'command'?)");
    CHECK(did_you_mean("xyz", keys) == "");
    CHECK_FALSE(closest_match("something_else", keys).has_value());
}

}  // namespace unit_edit_distance_test
