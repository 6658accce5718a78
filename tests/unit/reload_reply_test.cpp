#include <doctest/doctest.h>

#include "tend/control/reload_reply.hpp"

namespace unit_reload_reply_test {

using namespace tend;

namespace {

ReloadOutcome adding(int count) {
    ReloadOutcome outcome;
    for (int i = 0; i < count; ++i) outcome.diff.services.push_back({"service-" + std::to_string(i), ServiceChange::added, {}});
    outcome.diff.settings.push_back({"log_level", "info", "debug"});
    return outcome;
}

}  // namespace

TEST_CASE("a reload reply lists every service and setting when they fit") {
    auto reply = encode_reload(adding(3), true);
    CHECK(reply["plan"] == nlohmann::json({"+ service-0", "+ service-1", "+ service-2",
                                           "~ settings.log_level (info -> debug)"}));
    CHECK(reply["services"].size() == 3);
    CHECK(reply["settings"].size() == 1);
    CHECK_FALSE(reply.contains("left_out"));
}

TEST_CASE("a dry-run plan too big for one reply is cut, with a count of what was left out") {
    auto reply = encode_reload(adding(1000), true, 2000);
    const std::size_t listed = reply["services"].size();
    REQUIRE(listed > 0);
    REQUIRE(listed < 1000);
    CHECK(reply["settings"].empty());
    CHECK(reply["left_out"] == 1001 - listed);
    CHECK(reply["plan"].size() == listed + 1);
    CHECK(reply["plan"].back() == "... and " + std::to_string(1001 - listed) +
                                      " more not listed (a reply holds at most 2000 bytes)");
    CHECK(reply["services"].dump().size() + reply["plan"].dump().size() < 2000 + 200);
}

TEST_CASE("the reply's cut is made well within what a control connection may hold") {
    auto reply = encode_reload(adding(200000), true);
    CHECK(reply.contains("left_out"));
    CHECK(reply.dump().size() < 2 * kMaxReloadReplyBytes);
    CHECK(reply["plan"].back() == "... and " + std::to_string(reply["left_out"].get<std::size_t>()) +
                                      " more not listed (a reply holds at most 3 MiB)");
}

}  // namespace unit_reload_reply_test
