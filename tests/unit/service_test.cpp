#include <doctest/doctest.h>

#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tend/supervisor/service.hpp"

namespace unit_service_test {

using namespace tend;

namespace {

std::vector<std::string> environment_of(ServiceSpec spec) {
    spec.name = "svc";
    spec.argv = {"true"};
    return Service(std::move(spec), 0, 1).spawn_request().environment;
}

std::string value_in(const std::vector<std::string>& env, const std::string& name) {
    std::string found = "(none)";
    int count = 0;
    for (const std::string& entry : env)
        if (entry.starts_with(name + "=")) found = entry.substr(name.size() + 1), ++count;
    return count > 1 ? "(twice)" : found;
}

}  // namespace

TEST_CASE("a service's environment is tend's with its own entries over it, each name once, sorted") {
    setenv("TEND_TEST_KEPT", "from tend", 1);
    setenv("TEND_TEST_OVERRIDDEN", "from tend", 1);
    ServiceSpec spec;
    spec.environment = {{"TEND_TEST_OVERRIDDEN", "the service's"}, {"TEND_TEST_ADDED", "new"}, {"AAA_TEND_FIRST", "1"},
                        {"zzz_tend_last", "2"}};
    std::vector<std::string> env = environment_of(spec);
    CHECK(value_in(env, "TEND_TEST_KEPT") == "from tend");
    CHECK(value_in(env, "TEND_TEST_OVERRIDDEN") == "the service's");
    CHECK(value_in(env, "TEND_TEST_ADDED") == "new");
    CHECK(value_in(env, "AAA_TEND_FIRST") == "1");
    CHECK(value_in(env, "zzz_tend_last") == "2");
    CHECK(value_in(env, "PATH") == getenv("PATH"));
    CHECK(std::is_sorted(env.begin(), env.end(), [](const std::string& a, const std::string& b) {
        return a.substr(0, a.find('=')) < b.substr(0, b.find('='));
    }));
    // With nothing of its own, exactly tend's environment.
    std::vector<std::string> plain = environment_of(ServiceSpec{});
    std::size_t count = 0;
    for (char** entry = environ; *entry; ++entry) ++count;
    CHECK(plain.size() == count);
    CHECK(value_in(plain, "TEND_TEST_OVERRIDDEN") == "from tend");
    unsetenv("TEND_TEST_KEPT");
    unsetenv("TEND_TEST_OVERRIDDEN");
}

TEST_CASE("of two inherited entries of one name, the later one is passed on, once") {
    // setenv() never makes two; whoever started tend can. The later wins, as setenv() of each in order would leave it.
    std::vector<char*> saved;
    for (char** entry = environ; *entry; ++entry) saved.push_back(*entry);
    char first[] = "TEND_TEST_TWICE=first";
    char second[] = "TEND_TEST_TWICE=second";
    std::vector<char*> doubled = saved;
    doubled.push_back(first);
    doubled.push_back(second);
    doubled.push_back(nullptr);
    char** original = environ;
    environ = doubled.data();
    std::vector<std::string> env = environment_of(ServiceSpec{});
    environ = original;
    CHECK(value_in(env, "TEND_TEST_TWICE") == "second");
    CHECK(env.size() == saved.size() + 1);
}

}  // namespace unit_service_test
