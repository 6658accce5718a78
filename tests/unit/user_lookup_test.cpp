#include <doctest/doctest.h>

#include "tend/process/user_lookup.hpp"

namespace unit_user_lookup_test {

using namespace tend;

TEST_CASE("numeric ids: every value that fits, but never (id_t)-1 or an overflow") {
    CHECK(parse_numeric_id("0") == 0u);
    CHECK(parse_numeric_id("65534") == 65534u);
    CHECK(parse_numeric_id("4294967294") == 4294967294u);
    CHECK_FALSE(parse_numeric_id("4294967295"));   // setuid(-1) would leave root in place
    CHECK_FALSE(parse_numeric_id("4294967296"));   // would truncate to 0: root
    CHECK_FALSE(parse_numeric_id("18446744073709551616"));
    CHECK_FALSE(parse_numeric_id(""));
    CHECK_FALSE(parse_numeric_id("-1"));
    CHECK_FALSE(parse_numeric_id("12a"));
    CHECK_FALSE(parse_numeric_id(" 12"));
}

TEST_CASE("a uid that does not fit is an error about the user, never root") {
    try {
        lookup_credentials("4294967296", std::nullopt);
        FAIL("accepted");
    } catch (const CredentialError& e) {
        CHECK(e.field() == CredentialError::Field::user);
        CHECK(std::string(e.what()) == "invalid uid 4294967296 (ids are 0..4294967294)");
    }
}

TEST_CASE("a bad group is an error about the group") {
    try {
        lookup_credentials("0", std::string("4294967295"));
        FAIL("accepted");
    } catch (const CredentialError& e) {
        CHECK(e.field() == CredentialError::Field::group);
    }
}

TEST_CASE("a bare uid without a passwd entry runs as itself, gid = uid") {
    auto creds = lookup_credentials("4000000000", std::nullopt);
    CHECK(creds.uid == 4000000000u);
    CHECK(creds.gid == 4000000000u);
}

}  // namespace unit_user_lookup_test
