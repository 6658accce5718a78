#include "tend/util/decimal_number.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace unit_decimal_number_test {

using tend::parse_decimal_number;

TEST_CASE("a decimal number is read whole, as from_chars reads it") {
    CHECK(parse_decimal_number("1.5") == 1.5);
    CHECK(parse_decimal_number("-0.25") == -0.25);
    CHECK(parse_decimal_number(".5") == 0.5);
    CHECK(parse_decimal_number("1e3") == 1000.0);
    CHECK(parse_decimal_number("10") == 10.0);
    CHECK(std::isinf(*parse_decimal_number("inf")));
}

TEST_CASE("what strtod would take and from_chars would not is refused") {
    CHECK_FALSE(parse_decimal_number(""));
    CHECK_FALSE(parse_decimal_number(" 1"));
    CHECK_FALSE(parse_decimal_number("+1"));
    CHECK_FALSE(parse_decimal_number("0x10"));
    CHECK_FALSE(parse_decimal_number("1.5s"));
    CHECK_FALSE(parse_decimal_number("1 "));
    CHECK_FALSE(parse_decimal_number("1e999"));
    CHECK_FALSE(parse_decimal_number(std::string_view("1\0" "2", 3)));
}

}  // namespace unit_decimal_number_test
