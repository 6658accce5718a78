#include <doctest/doctest.h>

#include <memory>

#include "tend/config/config_loader.hpp"
#include "tend/supervisor/reload_plan.hpp"

namespace unit_reload_plan_test {

using namespace tend;

namespace {

// db <- web <- proxy, all running; the machine is stepped by hand.
struct Running {
    Config config = parse_config(
        "services:\n"
        "  db: {command: [db], min_uptime: 0}\n"
        "  web: {command: [web], min_uptime: 0, depends_on: [db]}\n"
        "  proxy: {command: [proxy], min_uptime: 0, depends_on: [web]}\n",
        "t.yaml");
    DependencyGraph graph{config.services};
    std::vector<std::unique_ptr<Service>> services;
    std::vector<std::string> stops;  // the order the plan stopped them in

    Running() {
        for (std::size_t i = 0; i < config.services.size(); ++i) {
            services.push_back(std::make_unique<Service>(config.services[i], i, i + 1));
            services.back()->machine().step({EventKind::start}, {});
            services.back()->machine().step({EventKind::spawned}, {});
        }
    }
    Service& operator[](std::size_t i) { return *services[i]; }
    std::vector<Service*> order() {
        std::vector<Service*> out;
        for (auto& s : services) out.push_back(s.get());
        return out;
    }
    bool advance(ReloadPlan& plan) {
        return plan.advance([this](Service& s) {
            stops.push_back(s.name());
            s.machine().step({EventKind::stop}, {});
        });
    }
    static void gone(Service& s) {
        s.machine().step({EventKind::exited, ExitStatus::killed(15)}, {});
        s.machine().step({EventKind::group_empty}, {});
    }
};

ServiceSpec changed(const Service& s) {
    ServiceSpec next = s.spec();
    next.argv.push_back("--v2");
    return next;
}

}  // namespace

TEST_CASE("stops go in reverse old dependency order, each after its dependents' stops") {
    Running r;
    ReloadPlan plan;
    plan.replace(r[0], changed(r[0]), true);  // db changed
    plan.remove(r[2]);                        // proxy removed
    plan.order(r.order(), r.graph);
    CHECK_FALSE(r.advance(plan));
    // web stays up (unchanged), so db waits for no stop; both go in the old stop order.
    CHECK(r.stops == std::vector<std::string>{"proxy", "db"});
    CHECK(plan.waiting() == "proxy, db");
}

TEST_CASE("a replaced service takes its new definition once down, and its goal decides its start") {
    Running r;
    ReloadPlan plan;
    plan.replace(r[2], changed(r[2]), true);
    plan.replace(r[1], changed(r[1]), false);
    plan.order(r.order(), r.graph);
    CHECK_FALSE(r.advance(plan));
    CHECK(r.stops == std::vector<std::string>{"proxy"});  // web waits for its dependent
    CHECK(plan.replacing(r[1]));
    Running::gone(r[2]);
    CHECK_FALSE(r.advance(plan));
    CHECK(r.stops == std::vector<std::string>{"proxy", "web"});
    CHECK(r[2].spec().argv.back() == "--v2");
    CHECK(r[2].goal.start_owed());
    CHECK(r[1].spec().argv.back() == "web");  // still the old one while it stops
    Running::gone(r[1]);
    CHECK(r.advance(plan));
    CHECK(r[1].spec().argv.back() == "--v2");
    CHECK_FALSE(r[1].goal.start_owed());  // it was not to start again
    CHECK_FALSE(plan.replacing(r[1]));
}

TEST_CASE("a stop waits for a dependent's stop even through a dependent that is down") {
    Running r;
    Running::gone(r[1]);  // web is down already (stopped by hand)
    r[1].machine().step({EventKind::stop}, {});
    ReloadPlan plan;
    plan.remove(r[0]);
    plan.remove(r[2]);
    plan.order(r.order(), r.graph);
    CHECK_FALSE(r.advance(plan));
    CHECK(r.stops == std::vector<std::string>{"proxy"});  // db <- web (down) <- proxy
    Running::gone(r[2]);
    CHECK_FALSE(r.advance(plan));
    CHECK(r.stops == std::vector<std::string>{"proxy", "db"});
}

}  // namespace unit_reload_plan_test
