#include "tend/cli/schema_interpolation.hpp"

#include <string>

namespace tend {
namespace {

using json = nlohmann::ordered_json;

bool names_type(const json& schema, const char* type) {
    if (!schema.contains("type")) return false;
    const json& t = schema["type"];
    if (t.is_string()) return t == type;
    for (const json& one : t)
        if (one == type) return true;
    return false;
}

bool any_branch(const json& schema, bool (*test)(const json&)) {
    for (const char* key : {"oneOf", "anyOf"})
        if (schema.contains(key))
            for (const json& branch : schema[key])
                if (test(branch)) return true;
    return false;
}

// Whether "${X}" is valid already: some branch takes any string.
bool takes_any_string(const json& schema) {
    if (!schema.is_object()) return true;  // `true`/`false` schemas: left as they are
    if (schema.contains("$ref")) return true;  // a definition is made to accept it where it is defined
    if (names_type(schema, "string") && !schema.contains("pattern") && !schema.contains("enum") &&
        !schema.contains("const"))
        return true;
    return any_branch(schema, takes_any_string);
}

bool takes_a_scalar(const json& schema) {
    if (!schema.is_object() || schema.contains("$ref")) return false;
    if (schema.contains("enum") || schema.contains("const")) return true;
    for (const char* type : {"string", "number", "integer", "boolean"})
        if (names_type(schema, type)) return true;
    return any_branch(schema, takes_a_scalar);
}

void widen(json& schema);

// A value place: its insides first, then itself.
void widen_value(json& schema) {
    widen(schema);
    if (!takes_a_scalar(schema) || takes_any_string(schema)) return;
    json outer = json::object();
    for (const char* shown : {"description", "examples"})
        if (schema.contains(shown)) {
            outer[shown] = std::move(schema[shown]);
            schema.erase(shown);
        }
    outer["anyOf"] = json::array({std::move(schema), {{"$ref", std::string("#/definitions/") + kInterpolatedDefinition}}});
    schema = std::move(outer);
}

void widen(json& schema) {
    if (!schema.is_object()) return;
    for (const char* map : {"properties", "patternProperties"})
        if (schema.contains(map))
            for (auto& [name, value] : schema[map].items()) widen_value(value);
    for (const char* one : {"additionalProperties", "additionalItems"})
        if (schema.contains(one) && schema[one].is_object()) widen_value(schema[one]);
    if (schema.contains("items")) {
        if (schema["items"].is_array())
            for (json& item : schema["items"]) widen_value(item);
        else widen_value(schema["items"]);
    }
    for (const char* branches : {"oneOf", "anyOf"})
        if (schema.contains(branches))
            for (json& branch : schema[branches]) widen(branch);
}

}  // namespace

void accept_interpolation(json& schema) {
    json& definitions = schema["definitions"];
    for (auto& [name, definition] : definitions.items()) widen_value(definition);
    // A $comment, not a description: editors would show it on hover over every key it widens, instead of the key's own.
    definitions[kInterpolatedDefinition] = {
        {"$comment", "a ${VAR} interpolation (${VAR:-default}, ...), checked by tend once its value is known"},
        {"type", "string"},
        {"pattern", "\\$\\{"}};
    widen(schema);
}

}  // namespace tend
