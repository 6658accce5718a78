#include <doctest/doctest.h>

#include <string>

#include "supervisor_harness.hpp"
#include "tend/config/replica_scale.hpp"
#include "tend/supervisor/operations.hpp"

namespace unit_replica_scale_test {

using namespace tend;
using namespace tend::test;

namespace {

std::string set_of(int n, const std::string& extra = "") {
    return "services:\n  w:\n    replicas: " + std::to_string(n) +
           "\n    command: [w, '${TEND_REPLICA}']\n    min_uptime: 0\n    output: null\n" + extra;
}

// Scales and lets the loop run until the scale's wait is over; returns its error ("" when done).
std::string scale(Harness& h, Operations& ops, const std::string& name, long long count) {
    std::optional<Outcome> outcome;
    Subscription wait = ops.scale(name, count, [&](const Outcome& o, const ScaleResult&) { outcome = o; });
    for (int i = 0; i < 10 && !outcome; ++i) h.turn();
    REQUIRE(outcome);
    return outcome->error;
}

std::vector<std::string> names_of(const Harness& h) {
    std::vector<std::string> out;
    for (const auto& s : h.supervisor->services()) out.push_back(s->name());
    return out;
}

// The instances SIGTERM went to, in the order sent.
std::vector<std::string> stopped_order(Harness& h, const std::map<pid_t, std::string>& by_pid) {
    std::vector<std::string> out;
    for (const auto& sent : h.host.sent)
        if (sent.signal != SIGTERM) continue;
        else if (auto it = by_pid.find(sent.target < 0 ? -sent.target : sent.target); it != by_pid.end()) out.push_back(it->second);
    return out;
}

std::map<pid_t, std::string> pids_of(Harness& h) {
    std::map<pid_t, std::string> out;
    for (const auto& s : h.supervisor->services())
        if (s->pid > 0) out.emplace(s->pid, s->name());
    return out;
}

}  // namespace

TEST_CASE("scale adds instances read as the config reads them, and leaves the running ones alone") {
    Harness h(set_of(3));
    Operations ops(*h.supervisor, h.loop);
    auto before = pids_of(h);
    CHECK(scale(h, ops, "w", 5) == "");
    CHECK(names_of(h) == std::vector<std::string>{"w-0", "w-1", "w-2", "w-3", "w-4"});
    CHECK(h.supervisor->services().find("w-4")->spec().argv == std::vector<std::string>{"w", "4"});
    CHECK(h.supervisor->services().find("w-4")->spec().environment.at("TEND_SERVICE") == "w-4");
    CHECK(h.state("w-4") == ServiceState::running);
    for (const auto& [pid, name] : before) CHECK(h.supervisor->services().find(name)->pid == pid);
    CHECK(h.supervisor->replica_sets().at("w").count == 5);
}

TEST_CASE("scale down stops the surplus instances highest first and keeps the rest") {
    Harness h(set_of(5));
    Operations ops(*h.supervisor, h.loop);
    auto before = pids_of(h);
    CHECK(scale(h, ops, "w", 2) == "");
    CHECK(names_of(h) == std::vector<std::string>{"w-0", "w-1"});
    CHECK(stopped_order(h, before) == std::vector<std::string>{"w-4", "w-3", "w-2"});
    for (const std::string name : {"w-0", "w-1"}) CHECK(h.supervisor->services().find(name)->state() == ServiceState::running);
}

TEST_CASE("stopping a set, and shutting down, stop its instances highest first") {
    Harness h(set_of(3));
    Operations ops(*h.supervisor, h.loop);
    auto pids = pids_of(h);
    ops.stop(ops.lookup({"w"}, false), false);
    h.turn();
    CHECK(stopped_order(h, pids) == std::vector<std::string>{"w-2", "w-1", "w-0"});

    Harness down(set_of(3));
    auto all = pids_of(down);
    down.supervisor->request_shutdown("test");
    down.turn();
    CHECK(stopped_order(down, all) == std::vector<std::string>{"w-2", "w-1", "w-0"});
}

TEST_CASE("a dependant of the set depends on each instance after a scale, without a restart") {
    Harness h(set_of(2) + service("web", "    depends_on: {w: started}\n"));
    Operations ops(*h.supervisor, h.loop);
    const pid_t web = h.supervisor->services().find("web")->pid;
    auto deps = [&] {
        std::vector<std::string> out;
        for (const auto& d : h.supervisor->services().find("web")->spec().depends_on) out.push_back(d.name);
        return out;
    };
    CHECK(scale(h, ops, "w", 3) == "");
    CHECK(deps() == std::vector<std::string>{"w-0", "w-1", "w-2"});
    CHECK(scale(h, ops, "w", 0) == "");
    CHECK(deps().empty());
    CHECK(scale(h, ops, "w", 1) == "");
    CHECK(deps() == std::vector<std::string>{"w-0"});
    CHECK(h.supervisor->services().find("web")->pid == web);
}

TEST_CASE("replicas: 0 keeps the set's name: looked up, shown as empty, and scaled up") {
    Harness h(set_of(0) + service("web"));
    Operations ops(*h.supervisor, h.loop);
    CHECK(ops.lookup({"w"}, false).empty());
    auto rows = ops.empty_sets({"w"});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].name == "w");
    CHECK(rows[0].state == "empty");
    CHECK(ops.empty_sets({"web"}).empty());
    CHECK(ops.empty_sets({}).size() == 1);
    CHECK(scale(h, ops, "w", 2) == "");
    CHECK(names_of(h) == std::vector<std::string>{"web", "w-0", "w-1"});
    CHECK(ops.empty_sets({}).empty());
}

TEST_CASE("scale refuses what it cannot do, and does nothing") {
    Harness h(set_of(2) + service("web") + service("api", "    depends_on: [w-1]\n"));
    Operations ops(*h.supervisor, h.loop);
    auto refused = [&](const std::string& name, long long n) {
        try {
            (void)ops.scale(name, n, [](const Outcome&, const ScaleResult&) {});
        } catch (const Refusal& e) {
            return std::string(e.what());
        }
        return std::string("not refused");
    };
    CHECK(refused("w", -1) == "cannot scale w to -1: expected a whole number of instances from 0 to 10000");
    CHECK(refused("w", 1000000) == "cannot scale w to 1000000: expected a whole number of instances from 0 to 10000");
    CHECK(refused("ww", 3).starts_with("no such service: ww"));
    CHECK(refused("web", 3) == "web is not a replicas: set; give it 'replicas: N' in the config to run and scale copies of it");
    CHECK(refused("w-1", 3) == "w-1 is an instance of w: scale the set (tendctl scale w N)");
    CHECK(refused("w", 1).find("w-1") != std::string::npos);  // api names w-1 itself
    CHECK(names_of(h).size() == 4);
    h.supervisor->request_shutdown("test");
    CHECK(refused("w", 3) == "tend is shutting down");
}

TEST_CASE("a reload after a scale takes the config's count again") {
    Harness h(set_of(2));
    Operations ops(*h.supervisor, h.loop);
    CHECK(scale(h, ops, "w", 4) == "");
    ReloadOutcome outcome = h.supervisor->apply_config(parse_config(set_of(2), "t.yaml"), false);
    CHECK(outcome.ok());
    for (int i = 0; i < 6; ++i) h.turn();
    CHECK(names_of(h) == std::vector<std::string>{"w-0", "w-1"});
}

TEST_CASE("rescale is pure: a set's instances past the count go, new ones come after its last") {
    Config c = parse_config(set_of(1) + "  z:\n    command: [z]\n", "t.yaml");
    rescale(c, "w", 3);
    std::vector<std::string> names;
    for (const auto& s : c.services) names.push_back(s.name);
    CHECK(names == std::vector<std::string>{"w-0", "w-1", "w-2", "z"});
    rescale(c, "w", 0);
    CHECK(c.services.size() == 1);
    CHECK(c.replica_sets.at("w").count == 0);
}

}  // namespace unit_replica_scale_test
