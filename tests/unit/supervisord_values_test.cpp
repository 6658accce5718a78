#include <doctest/doctest.h>

#include <stdexcept>

#include "tend/cli/supervisord_values.hpp"

namespace unit_supervisord_values_test {

using namespace tend;
using Words = std::vector<std::string>;

TEST_CASE("command= is split as Python's shlex.split in POSIX mode") {
    CHECK(split_command("/bin/echo  a 'b c' \"d \\\"e\\\"\" f\\ g") == Words{"/bin/echo", "a", "b c", "d \"e\"", "f g"});
    CHECK(split_command("sh -c 'echo $HOME; exit 1'") == Words{"sh", "-c", "echo $HOME; exit 1"});
    CHECK(split_command("a '' b") == Words{"a", "", "b"});
    CHECK(split_command("  ") == Words{});
    CHECK_THROWS_WITH_AS(split_command("a 'b"), "unbalanced quote in a 'b", std::runtime_error);
}

TEST_CASE("environment= takes quoted and plain values and refuses what is no variable name") {
    using Env = std::vector<std::pair<std::string, std::string>>;
    CHECK(split_environment("A=\"1, 2\",B=plain , C='x'") == Env{{"A", "1, 2"}, {"B", "plain"}, {"C", "x"}});
    CHECK(split_environment("A=1,\nB=2") == Env{{"A", "1"}, {"B", "2"}});
    CHECK_THROWS_WITH_AS(split_environment("A=\"1"), "unbalanced quote in A=\"1", std::runtime_error);
    CHECK_THROWS_WITH_AS(split_environment("=1"), "'' is not a variable name", std::runtime_error);
    CHECK_THROWS_WITH_AS(split_environment(std::string(300, 'K') + "=1"),
                         ("'" + std::string(64, 'K') + "' is not a variable name").c_str(), std::runtime_error);
}

TEST_CASE("%(name)d references are formatted as Python's % operator, with the width held") {
    CHECK(format_reference("7", "s") == "7");
    CHECK(format_reference("7", "02d") == "07");
    CHECK(format_reference("7", "3i") == "  7");
    CHECK(format_reference("x", "d") == "0");
    CHECK(format_reference("99999999999999999999999", "d") == "9223372036854775807");
    CHECK(format_reference("1", "0999999999999999d").size() == 255);
}

TEST_CASE("supervisord's booleans") {
    for (const char* yes : {"true", "TRUE", "yes", "On", "1"}) CHECK(truthy(yes));
    for (const char* no : {"false", "no", "off", "0", "", "unexpected"}) CHECK_FALSE(truthy(no));
}

}  // namespace unit_supervisord_values_test
