#include <doctest/doctest.h>

#include <string>

#include "fake_credentials.hpp"
#include "config_errors.hpp"
#include "supervisor_harness.hpp"
#include "tend/config/config_diff.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/supervisor/operations.hpp"

namespace unit_replicas_test {

using namespace tend;

namespace {

using tend::test::errors_of;

std::vector<std::string> names_of(const Config& config) {
    std::vector<std::string> out;
    for (const auto& s : config.services) out.push_back(s.name);
    return out;
}

}  // namespace

TEST_CASE("replicas: N defines NAME-0 ... NAME-(N-1), each with its own TEND_REPLICA and TEND_SERVICE") {
    Config c = parse_config("services:\n  worker:\n    replicas: 3\n"
                            "    command: [work, --slot, '${TEND_REPLICA}', --name, '${TEND_SERVICE}']\n",
                            "t.yaml", fake_credentials);
    CHECK(names_of(c) == std::vector<std::string>{"worker-0", "worker-1", "worker-2"});
    for (int i = 0; i < 3; ++i) {
        const ServiceSpec& s = c.services[i];
        CHECK(s.argv == std::vector<std::string>{"work", "--slot", std::to_string(i), "--name", "worker-" + std::to_string(i)});
        CHECK(s.environment.at("TEND_REPLICA") == std::to_string(i));
        CHECK(s.environment.at("TEND_SERVICE") == "worker-" + std::to_string(i));
        CHECK(s.replica_of == "worker");
        CHECK(s.replica == i);
    }
    CHECK(c.replica_sets.at("worker").count == 3);
}

TEST_CASE("replicas: 1 is still NAME-0, and compose's deploy.replicas means the same") {
    Config one = parse_config("services:\n  w:\n    replicas: 1\n    command: [w]\n", "t.yaml", fake_credentials);
    CHECK(names_of(one) == std::vector<std::string>{"w-0"});
    Config compose = parse_config("services:\n  w:\n    deploy: {replicas: 2}\n    command: [w]\n", "t.yaml", fake_credentials);
    CHECK(names_of(compose) == std::vector<std::string>{"w-0", "w-1"});
    CHECK(errors_of("services:\n  w:\n    deploy: {replicas: 2, resources: {}}\n    command: [w]\n")
              .find("services.w.deploy.resources: is about containers") != std::string::npos);
}

TEST_CASE("replicas: 0 is defined with no instance; depending on it is satisfied at once") {
    Config c = parse_config("services:\n  w:\n    replicas: 0\n    command: [w]\n  web:\n    command: [web]\n    depends_on: [w]\n",
                            "t.yaml", fake_credentials);
    CHECK(names_of(c) == std::vector<std::string>{"web"});
    CHECK(c.services[0].depends_on.empty());
}

TEST_CASE("depending on a replicated service means every instance of it") {
    Config c = parse_config("services:\n  w:\n    replicas: 2\n    command: [w]\n  web:\n    command: [web]\n    depends_on: {w: ready}\n",
                            "t.yaml", fake_credentials);
    const ServiceSpec* web = c.find("web");
    REQUIRE(web);
    REQUIRE(web->depends_on.size() == 2);
    CHECK(web->depends_on[0].name == "w-0");
    CHECK(web->depends_on[1].name == "w-1");
    CHECK(web->depends_on[1].condition == DependencyCondition::ready);
}

TEST_CASE("replicas out of range or not a number is an error that says what is allowed") {
    CHECK(errors_of("services:\n  w:\n    replicas: -1\n    command: [w]\n")
              .find("services.w.replicas: -1 is out of range: expected a whole number of instances from 0 to 10000") !=
          std::string::npos);
    CHECK(errors_of("services:\n  w:\n    replicas: 20000\n    command: [w]\n").find("each instance is a process group") !=
          std::string::npos);
    CHECK(errors_of("services:\n  w:\n    replicas: many\n    command: [w]\n").find("'many' is not a number") != std::string::npos);
    CHECK(errors_of("services:\n  w:\n    replicas: 99999999999999999999\n    command: [w]\n").find("out of range") !=
          std::string::npos);
}

TEST_CASE("an instance's name taken by another service is an error naming both") {
    const std::string after = errors_of("services:\n  w:\n    replicas: 2\n    command: [w]\n  w-1:\n    command: [x]\n");
    CHECK(after.find("services.w-1: is also the name of an instance of services.w") != std::string::npos);
    const std::string before = errors_of("services:\n  w-1:\n    command: [x]\n  w:\n    replicas: 2\n    command: [w]\n");
    CHECK(before.find("services.w: its instance w-1 has the name of services.w-1") != std::string::npos);
}

TEST_CASE("replicas takes ${VAR} from the config's variables; TEND_REPLICA is unknown outside a replicated service") {
    setenv("TEND_T_WORKERS", "2", 1);
    Config c = parse_config("services:\n  w:\n    replicas: ${TEND_T_WORKERS}\n    command: [w]\n", "t.yaml", fake_credentials);
    unsetenv("TEND_T_WORKERS");
    CHECK(names_of(c).size() == 2);
    CHECK(errors_of("services:\n  w:\n    command: [w, '${TEND_REPLICA}']\n").find("TEND_REPLICA") != std::string::npos);
}

TEST_CASE("an error in a replicated definition is reported once, at its place") {
    const std::string e = errors_of("services:\n  w:\n    replicas: 3\n    command: [w]\n    restart: sometimes\n");
    CHECK(e.find("t.yaml:5") != std::string::npos);
    REQUIRE(e.find("got 'sometimes'") != std::string::npos);
    CHECK(e.find("got 'sometimes'") == e.rfind("got 'sometimes'"));
}

TEST_CASE("tendctl's names: the set's name means every instance, an instance's name that one") {
    using namespace tend::test;
    Harness h("services:\n  w:\n    replicas: 3\n    command: [w]\n    output: null\n" + service("web"));
    Operations ops(*h.supervisor, h.loop);
    auto all = ops.lookup({"w"}, false);
    REQUIRE(all.size() == 3);
    CHECK(all[0]->name() == "w-0");
    CHECK(all[2]->name() == "w-2");
    auto one = ops.lookup({"w-1", "w"}, false);
    CHECK(one.size() == 3);
    CHECK(one[0]->name() == "w-1");
    CHECK_THROWS_AS(ops.lookup({"wx"}, false), Refusal);
}

TEST_CASE("a reload that changes only replicas adds or removes the highest instances and leaves the others unchanged") {
    auto yaml = [](int n) {
        return "services:\n  w:\n    replicas: " + std::to_string(n) + "\n    command: [w, '${TEND_REPLICA}']\n";
    };
    Config three = parse_config(yaml(3), "t.yaml", fake_credentials);
    Config five = parse_config(yaml(5), "t.yaml", fake_credentials);
    ConfigDiff up = diff_configs(three.settings, three.services, five);
    std::vector<std::string> said;
    for (const auto& d : up.services) said.push_back(describe(d));
    CHECK(said == std::vector<std::string>{"= w-0", "= w-1", "= w-2", "+ w-3", "+ w-4"});
    Config two = parse_config(yaml(2), "t.yaml", fake_credentials);
    ConfigDiff down = diff_configs(five.settings, five.services, two);
    said.clear();
    for (const auto& d : down.services) said.push_back(describe(d));
    CHECK(said == std::vector<std::string>{"= w-0", "= w-1", "- w-2", "- w-3", "- w-4"});
}

}  // namespace unit_replicas_test
