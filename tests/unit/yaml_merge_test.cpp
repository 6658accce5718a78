#include <doctest/doctest.h>

#include <string>

#include "tend/config/yaml_document.hpp"
#include "tend/config/yaml_merge.hpp"

namespace unit_yaml_merge_test {

using namespace tend;

namespace {

YAML::Node loaded(const std::string& text, std::string* errors = nullptr) {
    YamlReader reader("t.yaml");
    auto root = load_one_document(reader, text);
    if (errors)
        for (const Diagnostic& d : reader.errors().sorted()) *errors += d.to_string() + "\n";
    return root ? *root : YAML::Node();
}

}  // namespace

TEST_CASE("a merge key brings in the keys of the map it names; the map's own keys win") {
    YAML::Node root = loaded("base: &base {a: 1, b: 2}\nx:\n  <<: *base\n  b: 3\n");
    CHECK(root["x"]["a"].as<std::string>() == "1");
    CHECK(root["x"]["b"].as<std::string>() == "3");
    CHECK_FALSE(root["x"]["<<"]);
    CHECK(root["x"].size() == 2);
}

TEST_CASE("a list of maps merges in order: earlier maps win over later ones") {
    YAML::Node root = loaded("a: &a {k: a, only_a: 1}\nb: &b {k: b, only_b: 2}\nx: {<<: [*a, *b]}\n");
    CHECK(root["x"]["k"].as<std::string>() == "a");
    CHECK(root["x"]["only_a"].as<std::string>() == "1");
    CHECK(root["x"]["only_b"].as<std::string>() == "2");
}

TEST_CASE("merges nest: a merged map's own merge key is resolved first") {
    YAML::Node root = loaded("a: &a {k: 1}\nb: &b {<<: *a, j: 2}\nx: {<<: *b}\n");
    CHECK(root["x"]["k"].as<std::string>() == "1");
    CHECK(root["x"]["j"].as<std::string>() == "2");
}

TEST_CASE("a quoted \"<<\" is an ordinary key") {
    YAML::Node root = loaded("x: {\"<<\": 1}\n");
    CHECK(root["x"]["<<"].as<std::string>() == "1");
}

TEST_CASE("a merge key naming something other than maps is an error at its place") {
    std::string errors;
    loaded("x:\n  <<: 1\n", &errors);
    CHECK(errors == "t.yaml:2:7: <<: expected an alias to a map (<<: *base) or a list of them (<<: [*a, *b])\n");
    errors.clear();
    loaded("a: &a {k: 1}\nx:\n  <<: [*a, 2]\n", &errors);
    CHECK(errors == "t.yaml:3:12: <<[1]: expected an alias to a map, e.g. *base\n");
}

TEST_CASE("a billion-laughs document is refused before its aliases expand") {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i)
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + [&] {
            std::string refs;
            for (int j = 0; j < 10; ++j) refs += (j ? ", *a" : "*a") + std::to_string(i - 1);
            return refs;
        }() + "]\n";
    YamlReader reader("t.yaml");
    CHECK_FALSE(load_one_document(reader, text).has_value());
    const auto errors = reader.errors().sorted();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.find("expand to more than") != std::string::npos);
}

TEST_CASE("a merge key that merges a map into itself is refused, not walked for ever") {
    YamlReader reader("t.yaml");
    const bool loaded = load_one_document(reader, "a: &a\n  k: 1\n  <<: *a\n").has_value();
    CHECK((!loaded || !reader.errors().empty()));
}

}  // namespace unit_yaml_merge_test
