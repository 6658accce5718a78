#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tend/cli/config_schema.hpp"
#include "tend/config/service_keys.hpp"
#include "tend/process/resource_limits.hpp"

namespace unit_config_schema_test {

using namespace tend;

TEST_CASE("config/tend.schema.json is what the key registry makes (regenerate: tend schema > config/tend.schema.json)") {
    std::ifstream file(std::string(TEND_SOURCE_DIR) + "/config/tend.schema.json");
    REQUIRE(file);
    std::stringstream committed;
    committed << file.rdbuf();
    CHECK(committed.str() == config_schema());
}

TEST_CASE("the schema describes every service key and every limit, with the registry's sample") {
    auto schema = nlohmann::json::parse(config_schema());
    const auto& service = schema["properties"]["services"]["additionalProperties"];
    CHECK(service["additionalProperties"] == false);
    for (const ServiceKey& key : service_keys()) {
        INFO(key.key);
        REQUIRE(service["properties"].contains(key.key));
        CHECK(service["properties"][key.key]["examples"].size() == 1);
    }
    CHECK(service["properties"].size() == service_keys().size() + 2);  // and replicas, deploy (config/replicas)
    for (const ResourceName& r : resource_names()) CHECK(service["properties"]["limits"]["properties"].contains(r.name));
}

}  // namespace unit_config_schema_test
