#include <doctest/doctest.h>

#include "tend/util/port_number.hpp"

namespace unit_port_number_test {

using namespace tend;

TEST_CASE("a port is the whole text as a number from 1 to 65535") {
    CHECK(parse_port_number("1") == 1);
    CHECK(parse_port_number("9001") == 9001);
    CHECK(parse_port_number("65535") == 65535);
    for (const char* bad : {"", "0", "65536", "4294967297", "-1", "+80", " 80", "80 ", "80a", "0x50", "8.0"})
        CHECK_MESSAGE(!parse_port_number(bad), bad);
}

}  // namespace unit_port_number_test
