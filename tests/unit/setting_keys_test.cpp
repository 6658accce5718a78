#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fake_credentials.hpp"
#include "tend/cli/config_schema.hpp"
#include "tend/config/config_diff.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/config/setting_keys.hpp"
#include "tend/config/settings_parser.hpp"

namespace unit_setting_keys_test {

using namespace tend;

namespace {

Config with_setting(const std::string& key, const std::string& value) {
    std::string yaml = key.empty() ? "" : "settings:\n  " + key + ": " + value + "\n";
    return parse_config(yaml + "services:\n  svc:\n    command: [x]\n", "t.yaml", fake_credentials);
}

std::string source_file(const std::string& path) {
    std::ifstream file(std::string(TEND_SOURCE_DIR) + "/" + path);
    REQUIRE(file);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// The lines of docs/configuration.md's table under "## settings".
std::vector<std::string> documented_rows() {
    std::istringstream doc(source_file("docs/configuration.md"));
    std::vector<std::string> rows;
    bool in_section = false;
    for (std::string line; std::getline(doc, line);) {
        if (line.starts_with("## ")) in_section = line == "## settings";
        else if (in_section && line.starts_with("| `")) rows.push_back(line);
    }
    return rows;
}

const SettingEffect kEffects[] = {SettingEffect::next_use, SettingEffect::logging, SettingEffect::control_socket, SettingEffect::http,
                                  SettingEffect::load};

}  // namespace

TEST_CASE("every setting parses its sample, and a reload reports the change and redoes only its effect") {
    const Settings base = with_setting("", "").settings;
    for (const SettingKey& key : setting_keys()) {
        const std::string name = key.key;
        CAPTURE(name);
        Config changed;
        REQUIRE_NOTHROW(changed = with_setting(key.key, key.sample));
        ConfigDiff diff = diff_configs(base, changed.services, changed);
        REQUIRE(diff.settings.size() == 1);
        CHECK(diff.settings[0].key == (key.reported_as ? key.reported_as : name));
        CHECK(diff.settings[0].from == key.text(base));
        CHECK(diff.settings[0].to == key.text(changed.settings));
        for (SettingEffect effect : kEffects)
            CHECK(settings_differ(base, changed.settings, effect) == (effect == key.effect));
    }
}

TEST_CASE("every setting has a schema, a description and a default, and is a known key of the parser") {
    CHECK(settings_key_names().size() == setting_keys().size());
    auto schema = nlohmann::json::parse(config_schema());
    const auto& settings = schema["properties"]["settings"];
    CHECK(settings["additionalProperties"] == false);
    CHECK(settings["properties"].size() == setting_keys().size());
    for (const SettingKey& key : setting_keys()) {
        INFO(std::string(key.key));
        CHECK(find_setting_key(key.key) == &key);
        CHECK(nlohmann::json::accept(key.schema()));
        CHECK(std::string(key.description).size() > 10);
        CHECK(std::string(key.default_text).size() > 0);
        REQUIRE(settings["properties"].contains(key.key));
        CHECK(settings["properties"][key.key]["description"] == key.description);
        CHECK(settings["properties"][key.key]["examples"].size() == 1);
    }
    CHECK(find_setting_key("shutdown_timeot") == nullptr);
}

TEST_CASE("docs/configuration.md's settings table is the registry's rows, and tend.yaml(5) names every setting") {
    const std::vector<std::string> rows = documented_rows();
    REQUIRE(rows.size() == setting_keys().size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const SettingKey& key = setting_keys()[i];
        CHECK(rows[i] == std::string("| `") + key.key + "` | " + key.default_text + " | " + key.description + " |");
    }
    const std::string man = source_file("docs/man/tend.yaml.5.scd");
    for (const SettingKey& key : setting_keys()) {
        INFO(std::string(key.key));
        CHECK(man.find(std::string("*") + key.key + "*") != std::string::npos);
    }
}

}  // namespace unit_setting_keys_test
