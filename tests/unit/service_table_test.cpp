#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tend/supervisor/service_table.hpp"

namespace unit_service_table_test {

using namespace tend;

namespace {

std::unique_ptr<Service> make(ServiceTable& table, const std::string& name, std::size_t index) {
    ServiceSpec spec;
    spec.name = name;
    spec.argv = {"true"};
    return std::make_unique<Service>(spec, index, table.next_id());
}

ServiceTable table_of(const std::vector<std::string>& names) {
    ServiceTable table;
    ServiceTable::List list;
    for (std::size_t i = 0; i < names.size(); ++i) list.push_back(make(table, names[i], i));
    table.set(std::move(list));
    return table;
}

std::vector<std::string> visited(const ServiceTable& table) {
    std::vector<std::string> names;
    table.for_every([&](const Service& s) { names.push_back(s.name()); });
    return names;
}

}  // namespace

TEST_CASE("services are found by name and by id, in config order") {
    ServiceTable table = table_of({"db", "web", "worker"});
    REQUIRE(table.size() == 3);
    CHECK(table[1].name() == "web");
    CHECK(table.front().name() == "db");
    Service* web = table.find("web");
    REQUIRE(web != nullptr);
    CHECK(table.find(web->id()) == web);
    CHECK(table.find("nope") == nullptr);
    CHECK(table.find(std::uint64_t{999}) == nullptr);
}

TEST_CASE("a removed service keeps answering to its id only while it retires, and ids are never reused") {
    ServiceTable table = table_of({"db", "web"});
    const std::uint64_t web_id = table.find("web")->id();
    ServiceTable::List old = table.take();
    CHECK(table.empty());
    ServiceTable::List next;
    next.push_back(std::move(old[0]));
    next.push_back(make(table, "cache", 1));
    CHECK(next.back()->id() > web_id);
    table.retire(std::move(old[1]));
    table.set(std::move(next));

    CHECK(table.find(web_id) == nullptr);  // no longer configured
    REQUIRE(table.find_any(web_id) != nullptr);
    CHECK(table.find_any(web_id)->name() == "web");
    CHECK(table.find("web") == nullptr);
    CHECK(visited(table) == std::vector<std::string>{"db", "cache", "web"});

    ServiceTable::List ended = table.end_retiring();
    CHECK(ended.size() == 1);
    CHECK(table.retiring().empty());
    CHECK(table.find_any(web_id) == nullptr);
    CHECK(visited(table) == std::vector<std::string>{"db", "cache"});
}

TEST_CASE("an unknown name is answered with the closest configured one") {
    ServiceTable table = table_of({"web", "worker"});
    CHECK(table.no_such_service("webb") == "no such service: webb (did you mean web?)");
    CHECK(table.no_such_service("postgres") == "no such service: postgres");
}

}  // namespace unit_service_table_test
