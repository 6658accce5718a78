#include "tend/cli/config_schema.hpp"
#include "tend/cli/key_descriptions.hpp"


#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tend/cli/schema_interpolation.hpp"
#include "tend/config/replicas.hpp"
#include "tend/config/compose_keys.hpp"
#include "tend/config/config.hpp"
#include "tend/config/probe_parser.hpp"
#include "tend/config/service_keys.hpp"
#include "tend/config/setting_keys.hpp"
#include "tend/process/resource_limits.hpp"

namespace tend {
namespace {

// Stable across releases while the config's meaning is; a breaking change of the
// config format gets a new one (v2).
constexpr const char* kSchemaId = "https://tend.dev/schema/v1/tend.schema.json";

using json = nlohmann::ordered_json;

// A registry sample (YAML) as JSON, for the schema's examples: a quoted scalar
// stays a string, a plain one is read as YAML 1.2's core schema reads it.
json from_yaml(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: {
            json out = json::object();
            for (const auto& entry : node) out[entry.first.Scalar()] = from_yaml(entry.second);
            return out;
        }
        case YAML::NodeType::Sequence: {
            json out = json::array();
            for (const auto& item : node) out.push_back(from_yaml(item));
            return out;
        }
        case YAML::NodeType::Scalar: {
            const std::string& text = node.Scalar();
            if (node.Tag() == "!") return text;
            if (text == "true" || text == "false") return text == "true";
            long long integer = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
            if (ec == std::errc() && end == text.data() + text.size()) return integer;
            return text;
        }
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: return nullptr;
    }
    return nullptr;
}

json ref(const char* name) { return {{"$ref", std::string("#/definitions/") + name}}; }

// SCHEMA with TEXT as its description. Beside a $ref, draft 7 ignores every
// other keyword, so a bare reference is wrapped in allOf first.
json with_description(json schema, std::string_view text) {
    if (text.empty()) return schema;
    if (schema.size() == 1 && schema.contains("$ref")) schema = {{"allOf", json::array({std::move(schema)})}};
    json out = {{"description", std::string(text)}};
    for (auto& [k, v] : schema.items())
        if (k != "description") out[k] = v;
    return out;
}

json enum_of(std::span<const std::string> names) { return {{"enum", json(std::vector<std::string>(names.begin(), names.end()))}}; }

// The value forms the loader's readers accept (yaml_reader, util/*).
json definitions() {
    json defs;
    defs["duration"] = {{"description", "500ms, 10s, 5m, 1h, Go's (compose's) 1m30s or 1h2m3s, or a number of seconds"},
                        {"oneOf", json::array({{{"type", "number"}, {"minimum", 0}},
                                               {{"type", "string"},
                                                {"pattern", "^([0-9]+\\.?[0-9]*|\\.[0-9]+)$|"
                                                            "^(([0-9]+\\.?[0-9]*|\\.[0-9]+)(h|m|s|ms|us|\u00b5s|\u03bcs|ns))+$"}}})}};
    defs["size"] = {{"description", "bytes, or 512K, 10MiB, 1G (K/M/G count in 1024s)"},
                    {"oneOf", json::array({{{"type", "integer"}, {"minimum", 0}},
                                           {{"type", "string"},
                                            {"pattern", "^[0-9]+(\\.[0-9]+)? ?([KkMmGg]([Ii]?[Bb])?|[Bb])?$"}}})}};
    defs["signal"] = {{"description", "TERM, SIGTERM, RTMIN+3 or a number"},
                      {"oneOf", json::array({{{"type", "integer"}, {"minimum", 1}, {"maximum", 64}},
                                             {{"type", "string"}, {"pattern", "^[A-Za-z][A-Za-z0-9+-]*$"}}})}};
    defs["boolean"] = {{"oneOf", json::array({{{"type", "boolean"}}, {{"enum", {"yes", "no", "on", "off"}}}})}};
    defs["command"] = {{"description", "an argv list, or a string run as /bin/sh -c STRING"},
                       {"oneOf", json::array({{{"type", "string"}, {"minLength", 1}},
                                              {{"type", "array"}, {"items", {{"type", {"string", "number", "boolean"}}}}, {"minItems", 1}}})}};
    defs["env_file_entry"] = {{"anyOf", json::array({{{"type", "string"}, {"minLength", 1}},
                                                     {{"type", "object"},
                                                      {"properties", {{"path", {{"type", "string"}, {"minLength", 1}}},
                                                                      {"required", ref("boolean")}}},
                                                      {"required", {"path"}},
                                                      {"additionalProperties", false}}})}};
    defs["address"] = {{"description", "PORT, HOST:PORT or [V6]:PORT; numeric or localhost"},
                       {"type", {"string", "integer"}}};
    return defs;
}

// The map's properties in the loader's order of `keys`, each with its sentence
// from key_descriptions (TABLE's). A key the loader has and this does not
// describe, or the reverse, is an error: the two cannot drift.
json properties_of(std::span<const std::string> keys, const std::map<std::string, json>& described,
                   const std::string& path, std::string_view table) {
    json properties = json::object();
    for (const std::string& key : keys) {
        auto it = described.find(key);
        if (it == described.end()) throw std::logic_error("config schema: " + path + "." + key + " is not described");
        properties[key] = with_description(it->second, key_description(table, key));
    }
    if (described.size() != keys.size())
        throw std::logic_error("config schema: describes a key of " + path + " the loader does not know");
    return properties;
}

// Wherever the keys are tend's, compose's extension fields (x-anything) are ignored.
json closed_object(json properties) {
    return {{"type", "object"},
            {"properties", std::move(properties)},
            {"patternProperties", {{"^x-", json::object()}}},
            {"additionalProperties", false}};
}

json ready_schema() {
    const std::map<std::string, json> described = {
        {"notify", {{"enum", {"systemd", "fd"}}}},
        {"fd", {{"type", "integer"}, {"minimum", 3}}},
        {"notify_access", enum_of(notify_access_names())},
        {"watchdog", ref("duration")},
        {"exec", ref("command")},
        {"tcp", ref("address")},
        {"http", {{"type", "string"}, {"pattern", "^http://"}}},
        {"log", {{"type", "string"}, {"description", "a regular expression a line of its output must match"}}},
        {"interval", ref("duration")},
        {"probe_timeout", ref("duration")},
        {"timeout", ref("duration")},
    };
    return closed_object(properties_of(ready_key_names(), described, "services.*.ready", "ready"));
}

json health_schema() {
    const std::map<std::string, json> described = {
        {"exec", ref("command")},
        {"tcp", ref("address")},
        {"http", {{"type", "string"}, {"pattern", "^http://"}}},
        {"interval", ref("duration")},
        {"timeout", ref("duration")},
        {"retries", {{"type", "integer"}, {"minimum", 1}}},
        {"start_period", ref("duration")},
        {"start_interval", ref("duration")},
    };
    return closed_object(properties_of(health_key_names(), described, "services.*.health", "health"));
}

// Compose's `healthcheck:`, with docker's defaults (30s, 30s, 3 retries).
json healthcheck_schema() {
    json test = {{"description", "[CMD, prog, args...], [CMD-SHELL, STRING], [NONE], or a shell string"},
                 {"oneOf", json::array({{{"type", "string"}, {"minLength", 1}},
                                        {{"type", "array"}, {"minItems", 1},
                                         {"items", json::array({{{"enum", {"CMD", "CMD-SHELL", "NONE"}}}})},
                                         {"additionalItems", {{"type", {"string", "number", "boolean"}}}}}})}};
    const std::map<std::string, json> described = {
        {"test", test},
        {"interval", ref("duration")},
        {"timeout", ref("duration")},
        {"retries", {{"type", "integer"}, {"minimum", 1}}},
        {"start_period", ref("duration")},
        {"start_interval", ref("duration")},
        {"disable", ref("boolean")},
    };
    return closed_object(properties_of(healthcheck_key_names(), described, "services.*.healthcheck", "healthcheck"));
}

json restart_schema() {
    json names = enum_of(kRestartPolicyNames);
    names["enum"].push_back("no");              // compose's: never
    names["enum"].push_back("unless-stopped");  // compose's: always
    return {{"anyOf", json::array({names, {{"type", "string"}, {"pattern", "^on-failure:[0-9]+$"}}})}};
}

json limits_schema() {
    json properties = json::object();
    for (const ResourceName& r : resource_names()) {
        json value = r.bytes ? json{{"anyOf", json::array({ref("size"), {{"type", "string"}}})}}
                             : json{{"type", {"integer", "string"}}};
        properties[r.name] = {{"anyOf", json::array({value, closed_object({{"soft", value}, {"hard", value}})})}};
    }
    return closed_object(properties);
}

json dependency_schema() {
    json condition = enum_of(kDependencyConditionNames);
    for (const char* compose : {"service_started", "service_healthy", "service_completed_successfully"})
        condition["enum"].push_back(compose);
    json entry = {{"anyOf", json::array({condition, {{"type", "null"}},
                                         closed_object({{"condition", condition},
                                                        {"required", ref("boolean")},
                                                        {"restart", ref("boolean")}})})}};
    return {{"oneOf", json::array({{{"type", "array"}, {"items", {{"type", "string"}}}},
                                   {{"type", "object"}, {"additionalProperties", entry}}})}};
}

// A path, a list of paths, or compose's long form {path, required}.
json env_file_schema() {
    return {{"description", "compose's env file: KEY=VALUE lines; relative to this file's directory"},
            {"anyOf", json::array({ref("env_file_entry"), {{"type", "array"}, {"items", ref("env_file_entry")}}})}};
}

// docker-compose's spellings of a service's keys.
void add_compose_spellings(std::map<std::string, json>& described) {
    described.insert({
        {"healthcheck", healthcheck_schema()},
        {"entrypoint", {{"description", "arguments put before command's (a string is split into words, as compose does)"},
                        {"oneOf", json::array({{{"type", "string"}},
                                               {{"type", "array"}, {"items", {{"type", {"string", "number", "boolean"}}}}},
                                               {{"type", "null"}}})}}},
        {"stop_grace_period", ref("duration")},
        {"ulimits", limits_schema()},
        {"profiles", {{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"}}}}},
    });
}

// replicas (config/replicas) is read before the registry's keys: one definition becomes N services.
void add_replica_keys(json& service) {
    json count = {{"type", "integer"}, {"minimum", 0}, {"maximum", kMaxReplicas}};
    service["properties"]["replicas"] = with_description(count, key_description("services", "replicas"));
    service["properties"]["replicas"]["examples"] = {8};
    service["properties"]["deploy"] = {{"description", std::string(key_description("services", "deploy"))},
                                       {"type", "object"},
                                       {"properties", {{"replicas", count}}},
                                       {"patternProperties", {{"^x-", json::object()}}},
                                       {"additionalProperties", false},
                                       {"examples", json::array({{{"replicas", 2}}})}};
}

json service_schema() {
    std::map<std::string, json> described = {
        {"command", ref("command")},
        {"type", enum_of(kServiceTypeNames)},
        {"user", {{"description", "a name or uid, or compose's USER:GROUP"}, {"type", {"string", "integer"}}}},
        {"group", {{"type", {"string", "integer"}}}},
        {"working_dir", {{"type", "string"}}},
        {"environment", {{"oneOf", json::array({{{"type", "object"},
                                                  {"additionalProperties", {{"type", {"string", "number", "boolean", "null"}}}}},
                                                 {{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^[^=]+"}}}}})}}},
        {"env_file", env_file_schema()},
        {"umask", {{"description", "octal, as systemd's UMask=: \"0027\""},
                   {"oneOf", json::array({{{"type", "string"}, {"pattern", "^[0-7]{1,4}$"}},
                                          {{"type", "integer"}, {"minimum", 0}, {"maximum", 777}}})}}},
        {"limits", limits_schema()},
        {"no_new_privileges", ref("boolean")},
        {"autostart", ref("boolean")},
        {"restart", restart_schema()},
        {"success_exit_codes", {{"type", "array"}, {"items", {{"type", "integer"}, {"minimum", 0}, {"maximum", 255}}}}},
        {"min_uptime", ref("duration")},
        {"max_restarts", {{"oneOf", json::array({{{"type", "integer"}, {"minimum", -1}},
                                                  {{"type", "object"},
                                                   {"properties", {{"count", {{"type", "integer"}, {"minimum", 0}}},
                                                                   {"within", ref("duration")}}},
                                                   {"required", {"count", "within"}},
                                                   {"additionalProperties", false}}})}}},
        {"backoff", closed_object({{"initial", ref("duration")}, {"max", ref("duration")},
                                   {"factor", {{"type", "number"}, {"minimum", 1}}}})},
        {"stop_signal", ref("signal")},
        {"stop_timeout", ref("duration")},
        {"kill_mode", enum_of(kKillModeNames)},
        {"schedule", {{"type", "string"}, {"minLength", 1}}},
        {"concurrency", enum_of(kConcurrencyNames)},
        {"timeout", ref("duration")},
        {"depends_on", dependency_schema()},
        {"critical", ref("boolean")},
        {"on_fatal", enum_of(kOnFatalNames)},
        {"ready", ready_schema()},
        {"health", health_schema()},
        {"output", {{"anyOf", json::array({enum_of(kOutputModeNames), {{"type", "null"}}})}}},
        {"log_file", {{"type", "string"}, {"pattern", "^/"}}},
        {"log_max_size", ref("size")},
        {"log_keep", {{"type", "integer"}, {"minimum", 0}, {"maximum", 1000}}},
        {"log_buffer_lines", {{"type", "integer"}, {"minimum", 0}}},
        {"forward_signals", {{"type", "array"}, {"uniqueItems", true},
                             {"items", {{"enum", {"USR1", "USR2", "WINCH", "SIGUSR1", "SIGUSR2", "SIGWINCH", 10, 12, 28}}}}}},
    };
    add_compose_spellings(described);
    json service = closed_object(properties_of(service_key_names(), described, "services.*", "services"));
    for (const ServiceKey& key : service_keys())
        service["properties"][key.key]["examples"] = json::array({from_yaml(YAML::Load(key.sample))});
    add_replica_keys(service);
    // command, or compose's entrypoint that names the program.
    service["anyOf"] = json::array({{{"required", {"command"}}},
                                    {{"required", {"entrypoint"}},
                                     {"properties", {{"entrypoint", {{"type", {"string", "array"}}, {"minItems", 1}, {"minLength", 1}}}}}}});
    return service;
}

// Each setting's schema and description from its row of the settings registry.
json settings_schema() {
    json properties = json::object();
    for (const SettingKey& key : setting_keys()) {
        json property = json::parse(key.schema());
        property["description"] = key.description;
        property["examples"] = json::array({from_yaml(YAML::Load(key.sample))});
        properties[key.key] = std::move(property);
    }
    return closed_object(std::move(properties));
}

}  // namespace

std::string config_schema() {
    json schema = {
        {"$schema", "http://json-schema.org/draft-07/schema#"},
        {"$id", kSchemaId},
        {"title", "tend.yaml"},
        {"description", "The config of tend, a process supervisor for containers (see tend.yaml(5))."},
        {"type", "object"},
        {"properties",
         {{"settings", settings_schema()},
          {"services", {{"type", "object"},
                        {"propertyNames", {{"pattern", "^[A-Za-z0-9_.@-]{1,64}$"}, {"not", {{"const", "all"}}}}},
                        {"additionalProperties", service_schema()}}}}},
        {"patternProperties", {{"^x-", json::object()}}},
        {"additionalProperties", false},
        {"definitions", definitions()},
    };
    accept_interpolation(schema);
    return schema.dump(2) + "\n";
}

}  // namespace tend
