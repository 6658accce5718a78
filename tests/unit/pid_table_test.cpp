#include <doctest/doctest.h>

#include "tend/process/pid_table.hpp"

namespace unit_pid_table_test {

using namespace tend;

TEST_CASE("a reaped pid goes to its owner once; an unknown one is an orphan") {
    PidTable table;
    table.add(100, {7, PidRole::main});
    table.add(101, {8, PidRole::main});
    CHECK(table.take(100) == PidOwner{7, PidRole::main});
    CHECK_FALSE(table.take(100));  // taken: a second reap of a reused pid is someone else's
    CHECK_FALSE(table.take(999));
    CHECK(table.size() == 1);
}

TEST_CASE("an owner that goes away takes all its pids with it") {
    PidTable table;
    table.add(100, {7});
    table.add(101, {7});
    table.add(102, {8});
    table.forget(7);
    CHECK(table.size() == 1);
    CHECK_FALSE(table.take(101));
    CHECK(table.take(102) == PidOwner{8});
}

}  // namespace unit_pid_table_test
