#include <doctest/doctest.h>

#include "tend/util/byte_size.hpp"

namespace unit_byte_size_test {

using namespace tend;

TEST_CASE("sizes: bare bytes and K/M/G in 1024s, with or without B or iB, any case") {
    CHECK(parse_byte_size("4096") == 4096u);
    CHECK(parse_byte_size("512K") == 512u * 1024);
    CHECK(parse_byte_size("10MiB") == 10u * 1024 * 1024);
    CHECK(parse_byte_size("10mb") == 10u * 1024 * 1024);
    CHECK(parse_byte_size("1G") == 1ull << 30);
    CHECK(parse_byte_size("7 KB") == 7u * 1024);
    CHECK(parse_byte_size("0") == 0u);
}

TEST_CASE("sizes: anything else is refused") {
    CHECK_FALSE(parse_byte_size(""));
    CHECK_FALSE(parse_byte_size("MB"));
    CHECK_FALSE(parse_byte_size("-1"));
    CHECK_FALSE(parse_byte_size("1.5M"));
    CHECK_FALSE(parse_byte_size("10 parsecs"));
    CHECK_FALSE(parse_byte_size("99999999999999999999G"));
    CHECK_FALSE(parse_byte_size("20000000000G"));
}

}  // namespace unit_byte_size_test
