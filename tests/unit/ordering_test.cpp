#include <doctest/doctest.h>

#include "tend/supervisor/ordering.hpp"

namespace unit_ordering_test {

using namespace tend;

namespace {

// web -> db -> init ; worker -> db
std::vector<ServiceSpec> stack() {
    std::vector<ServiceSpec> specs(4);
    specs[0].name = "web";
    specs[0].depends_on = {{"db"}};
    specs[1].name = "db";
    specs[1].depends_on = {{"init"}};
    specs[2].name = "init";
    specs[3].name = "worker";
    specs[3].depends_on = {{"db"}};
    return specs;
}

}  // namespace

TEST_CASE("a service waits until its dependency is running") {
    auto specs = stack();
    DependencyGraph graph(specs);
    std::vector<ServiceView> views(4);
    views[1].state = ServiceState::starting;
    CHECK_FALSE(dependencies_started(graph, 0, views));
    views[1].state = ServiceState::running;
    CHECK(dependencies_started(graph, 0, views));
}

TEST_CASE("an init job that exited successfully satisfies its dependents, a failed one does not") {
    auto specs = stack();
    DependencyGraph graph(specs);
    std::vector<ServiceView> views(4);
    views[2] = {ServiceState::exited, true};
    CHECK(dependencies_started(graph, 1, views));
    views[2] = {ServiceState::exited, false};
    CHECK_FALSE(dependencies_started(graph, 1, views));
    views[2] = {ServiceState::fatal, false};
    CHECK_FALSE(dependencies_started(graph, 1, views));
}

TEST_CASE("shutdown stops leaves first, in parallel, then what they depended on") {
    auto specs = stack();
    DependencyGraph graph(specs);
    std::vector<ServiceView> views(4, ServiceView{ServiceState::running, false});
    CHECK(services_to_stop(graph, views) == std::vector<std::size_t>{3, 0});  // unrelated ones in reverse config order

    views[0].state = ServiceState::stopping;
    views[3].state = ServiceState::stopped;
    CHECK(services_to_stop(graph, views).empty());  // db waits for web

    views[0].state = ServiceState::stopped;
    CHECK(services_to_stop(graph, views) == std::vector<std::size_t>{1});
    views[1].state = ServiceState::exited;
    CHECK(services_to_stop(graph, views) == std::vector<std::size_t>{2});
}

TEST_CASE("a service in backoff is stopped like a running one") {
    auto specs = stack();
    DependencyGraph graph(specs);
    std::vector<ServiceView> views(4, ServiceView{ServiceState::stopped, false});
    views[2].state = ServiceState::backoff;
    CHECK(services_to_stop(graph, views) == std::vector<std::size_t>{2});
}

TEST_CASE("stop order goes through services that already exited: db <- migrate (exited) <- app") {
    std::vector<ServiceSpec> specs(3);
    specs[0].name = "db";
    specs[1].name = "migrate";
    specs[1].depends_on = {{"db"}};
    specs[2].name = "app";
    specs[2].depends_on = {{"migrate"}};
    DependencyGraph graph(specs);
    std::vector<ServiceView> views{{ServiceState::running, false}, {ServiceState::exited, true},
                                   {ServiceState::running, false}};
    CHECK(services_to_stop(graph, views) == std::vector<std::size_t>{2});  // not db yet
    views[2].state = ServiceState::stopping;
    CHECK(services_to_stop(graph, views).empty());
    views[2].state = ServiceState::stopped;
    CHECK(services_to_stop(graph, views) == std::vector<std::size_t>{0});
}

}  // namespace unit_ordering_test
