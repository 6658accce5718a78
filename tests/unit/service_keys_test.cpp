#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tend/config/config_diff.hpp"
#include "fake_credentials.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/config/service_keys.hpp"

namespace unit_service_keys_test {

using namespace tend;

namespace {

// Keys that mean something only beside another: that one is in the base config too.
std::string companion_of(const std::string& key) {
    if (key == "concurrency") return "    schedule: '@hourly'\n";
    if (key == "timeout") return "    type: oneshot\n";
    return "";
}

Config with_key(const std::string& key, const std::string& value, const std::string& companion = "") {
    std::string yaml = "services:\n  svc:\n" + companion;
    if (key != "command") yaml += "    command: [x]\n";
    if (!key.empty()) yaml += "    " + key + ": " + value + "\n";
    yaml += "  other:\n    command: [y]\n";
    return parse_config(yaml, "t.yaml", fake_credentials);
}

}  // namespace

TEST_CASE("every service key parses its sample and a change to it shows in the reload diff with its effect") {
    for (const ServiceKey& key : service_keys()) {
        const std::string name = key.key;
        CAPTURE(name);
        const Config base = with_key("", "", companion_of(name));
        std::vector<ServiceSpec> base_services = base.services;
        Config changed;
        REQUIRE_NOTHROW(changed = with_key(key.key, key.sample, companion_of(name)));
        ConfigDiff diff = diff_configs(base.settings, base_services, changed);
        REQUIRE(diff.services.size() == 2);
        // A user brings its group, and a group alone runs as uid 0: those two change together.
        const auto& fields = diff.services[0].fields;
        if (name == "user" || name == "group")
            CHECK(fields == std::vector<std::string>{"user", "group"});
        else if (key.spelling_of)  // compose's name for a tend key: the change shows under tend's
            CHECK(fields == std::vector<std::string>{key.spelling_of});
        else if (name == "profiles")  // none is active here, so the service no longer starts by itself
            CHECK(fields == std::vector<std::string>{"autostart", "profiles"});
        else if (name == "schedule")  // a scheduled job is a one-shot that starts when due
            CHECK(fields == std::vector<std::string>{"type", "autostart", "schedule"});
        else
            CHECK(fields == std::vector<std::string>{name});
        const ServiceKey* shown = key.spelling_of ? find_service_key(key.spelling_of) : &key;
        const bool restarts = shown->effect == ReloadEffect::restart || name == "schedule";  // its type changed
        CHECK(diff.services[0].change == (restarts ? ServiceChange::restarted : ServiceChange::updated));
        CHECK(diff.services[1].change == ServiceChange::unchanged);
    }
}

TEST_CASE("the key names, the parser's known keys and the diff's restart keys come from one table") {
    CHECK(service_key_names().size() == service_keys().size());
    CHECK(find_service_key("stop_timeout") != nullptr);
    CHECK(find_service_key("restat") == nullptr);
    std::vector<std::string> restarting;
    for (const ServiceKey& key : service_keys())
        if (key.effect == ReloadEffect::restart && !key.spelling_of) restarting.emplace_back(key.key);
    CHECK(restart_keys() == restarting);
}

}  // namespace unit_service_keys_test
