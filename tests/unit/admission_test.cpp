#include <doctest/doctest.h>

#include "tend/control/admission.hpp"

namespace unit_admission_test {

using namespace tend;

namespace {

// Ten places, two kept for the operator, five per uid.
ControlLimits small() {
    ControlLimits limits;
    limits.max_clients = 10;
    limits.operator_reserve = 2;
    limits.max_per_uid = 5;
    return limits;
}

}  // namespace

TEST_CASE("other users share all but the operator's reserve, and each uid has a cap") {
    const ControlLimits limits = small();
    CHECK(admit(false, 0, 0, limits) == Admission::accept);
    CHECK(admit(false, 7, 4, limits) == Admission::accept);
    CHECK(admit(false, 7, 5, limits) == Admission::refuse_uid);
    CHECK(admit(false, 8, 0, limits) == Admission::refuse_full);  // the last two are the operator's
}

TEST_CASE("the operator gets the reserve, and past it the place of an idle connection") {
    const ControlLimits limits = small();
    CHECK(admit(true, 8, 0, limits) == Admission::accept);
    CHECK(admit(true, 9, 9, limits) == Admission::accept);  // no per-uid cap for the operator
    CHECK(admit(true, 10, 3, limits) == Admission::accept_evicting);
}

}  // namespace unit_admission_test
