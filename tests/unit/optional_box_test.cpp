// OptionalBox: std::optional's meaning at a pointer's size when empty, with
// copies that are deep (a copied service definition must not share its
// schedule with the original: a reload edits one of them).
#include "tend/util/optional_box.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

namespace unit_optional_box_test {

using tend::OptionalBox;

TEST_CASE("an optional box is as small as a pointer and empty by default") {
    static_assert(sizeof(OptionalBox<std::string>) == sizeof(void*));
    OptionalBox<std::string> box;
    CHECK_FALSE(box);
    CHECK_FALSE(box.has_value());
    CHECK_THROWS_AS((void)box.value(), std::bad_optional_access);
    CHECK(static_cast<std::optional<std::string>>(box) == std::nullopt);
}

TEST_CASE("an optional box holds, replaces and drops a value as std::optional does") {
    OptionalBox<std::string> box = std::string("*/5 * * * *");
    REQUIRE(box);
    CHECK(*box == "*/5 * * * *");
    CHECK(box->size() == 11);
    box = std::string("@hourly");
    CHECK(box.value() == "@hourly");
    box = std::optional<std::string>();
    CHECK_FALSE(box);
    box = std::optional<std::string>("@daily");
    CHECK(*box == "@daily");
    box = std::nullopt;
    CHECK_FALSE(box);
    box = std::string("x");
    box.reset();
    CHECK_FALSE(box);
}

TEST_CASE("an optional box copies deeply and compares by value") {
    OptionalBox<std::string> a = std::string("web");
    OptionalBox<std::string> b = a;
    *b += "-0";
    CHECK(*a == "web");
    CHECK(*b == "web-0");
    CHECK_FALSE(a == b);
    b = a;
    CHECK(a == b);
    CHECK(&*a != &*b);
    OptionalBox<std::string> empty, other_empty;
    CHECK(empty == other_empty);
    CHECK_FALSE(a == empty);
    CHECK_FALSE(empty == a);
    CHECK(a == std::optional<std::string>("web"));
    CHECK_FALSE(a == std::optional<std::string>());
    CHECK(empty == std::optional<std::string>());
    OptionalBox<std::string> moved = std::move(a);
    CHECK(*moved == "web");
    const OptionalBox<std::string>& same = b;
    b = same;  // assigned to itself, it keeps its value
    CHECK(*b == "web");
}

}  // namespace unit_optional_box_test
