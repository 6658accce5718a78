#include <doctest/doctest.h>

#include <algorithm>

#include "small_stack.hpp"
#include "tend/config/dependency_graph.hpp"

namespace unit_dependency_graph_test {

using namespace tend;

namespace {

std::vector<ServiceSpec> services(std::initializer_list<std::pair<const char*, std::vector<std::string>>> list) {
    std::vector<ServiceSpec> out;
    for (const auto& [name, deps] : list) {
        ServiceSpec s;
        s.name = name;
        s.where = {"t.yaml", 1, 1};
        for (const auto& d : deps) s.depends_on.push_back({d, DependencyCondition::started, true, {"t.yaml", 2, 3}});
        out.push_back(s);
    }
    return out;
}

std::vector<std::string> names(const std::vector<ServiceSpec>& specs, const std::vector<std::size_t>& order) {
    std::vector<std::string> out;
    for (auto i : order) out.push_back(specs[i].name);
    return out;
}

}  // namespace

TEST_CASE("start order puts every dependency before its dependents") {
    auto specs = services({{"web", {"db", "cache"}}, {"cache", {}}, {"db", {"init"}}, {"init", {}}});
    DependencyGraph graph(specs);
    CHECK(graph.problems().empty());
    CHECK(names(specs, graph.start_order()) == std::vector<std::string>{"cache", "init", "db", "web"});
}

TEST_CASE("independent services keep their config order") {
    auto specs = services({{"c", {}}, {"a", {}}, {"b", {}}});
    DependencyGraph graph(specs);
    CHECK(names(specs, graph.start_order()) == std::vector<std::string>{"c", "a", "b"});
}

TEST_CASE("dependents are the reverse edges") {
    auto specs = services({{"web", {"db"}}, {"worker", {"db"}}, {"db", {}}});
    DependencyGraph graph(specs);
    CHECK(graph.dependents(2) == std::vector<std::size_t>{0, 1});
    CHECK(graph.dependencies(0) == std::vector<std::size_t>{2});
}

TEST_CASE("a three-service cycle is reported once with its path") {
    auto specs = services({{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}});
    auto problems = DependencyGraph(specs).problems();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].to_string() == "t.yaml:2:3: services.c.depends_on: dependency cycle a -> b -> c -> a");
}

TEST_CASE("a missing dependency is reported with a suggestion") {
    auto specs = services({{"web", {"dbb"}}, {"db", {}}});
    auto problems = DependencyGraph(specs).problems();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "services.web.depends_on: no such service 'dbb' (did you mean 'db'?)");
}

TEST_CASE("a diamond is not a cycle") {
    auto specs = services({{"top", {"l", "r"}}, {"l", {"base"}}, {"r", {"base"}}, {"base", {}}});
    DependencyGraph graph(specs);
    CHECK(graph.problems().empty());
    CHECK(graph.start_order().front() == 3);
    CHECK(graph.start_order().back() == 0);
}

namespace {

// s0 depends on s1, s1 on s2, ...: the deepest chain a walk can meet.
std::vector<ServiceSpec> chain(std::size_t length, bool closed) {
    std::vector<ServiceSpec> out(length);
    for (std::size_t i = 0; i < length; ++i) {
        out[i].name = "s" + std::to_string(i);
        if (i + 1 < length || closed)
            out[i].depends_on.push_back({"s" + std::to_string((i + 1) % length), DependencyCondition::started, {}});
    }
    return out;
}

struct Walk {
    std::vector<std::string> problems;
    std::vector<std::size_t> order;
};

// On a 128 KiB stack: 5,000 levels of recursion would need 26 bytes or less each.
// AddressSanitizer's frames are several times larger, so its tree gives the walk
// room (there the release tree's run is what shows there is no recursion).
// gcc says ASan is on with __SANITIZE_ADDRESS__, clang (CI's sanitizer tree) with __has_feature.
#if defined(__has_feature)
#define TEND_TEST_ASAN __has_feature(address_sanitizer)
#else
#define TEND_TEST_ASAN 0
#endif
#if defined(__SANITIZE_ADDRESS__) || TEND_TEST_ASAN
constexpr std::size_t kWalkStack = 2 * 1024 * 1024;
#else
constexpr std::size_t kWalkStack = 128 * 1024;
#endif
#undef TEND_TEST_ASAN

Walk walk_on_a_small_stack(const std::vector<ServiceSpec>& specs) {
    Walk walk;
    tend::test::run_on_small_stack([&] {
        DependencyGraph graph(specs);
        for (const auto& problem : graph.problems()) walk.problems.push_back(problem.message);
        walk.order = graph.start_order();
    }, kWalkStack);
    return walk;
}

}  // namespace

TEST_CASE("a 5,000-service chain is walked without recursion, dependencies first") {
    auto specs = chain(5'000, false);
    Walk walk = walk_on_a_small_stack(specs);
    CHECK(walk.problems.empty());
    REQUIRE(walk.order.size() == specs.size());
    CHECK(walk.order.front() == specs.size() - 1);
    CHECK(walk.order.back() == 0);
}

TEST_CASE("a 5,000-service cycle is reported once") {
    Walk walk = walk_on_a_small_stack(chain(5'000, true));
    REQUIRE(walk.problems.size() == 1);
    CHECK(walk.problems[0].starts_with("services.s4999.depends_on: dependency cycle s0 -> s1 -> "));
    CHECK(walk.order.empty());
}

}  // namespace unit_dependency_graph_test
