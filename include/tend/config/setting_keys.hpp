// Every key `settings:` may have, in one table: how it is parsed, what a reload
// does when it changes, how a change is reported, its JSON Schema, and its line
// in docs/configuration.md. The parser, the reload diff, the supervisor's reload,
// `tend schema` and the docs' table all read this table, and its unit test checks
// each row has all of them, so a new setting is one row here.
#pragma once

#include <span>
#include <string>

#include "tend/config/config.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// What a reload does when a setting changed.
enum class SettingEffect {
    next_use,        // read where it is used, from its next use on (a timeout, exit_when)
    logging,         // tend's own log is set up again with it
    control_socket,  // the control server moves its socket or changes its group
    http,            // the HTTP front listens again with it
    load,            // it shapes the loading itself: the load that read it has applied it (include)
};

struct SettingKey {
    const char* key;
    void (*parse)(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings);
    SettingEffect effect;
    // The value as a reload reports a change: "~ settings.KEY (FROM -> TO)"; equal texts are no change.
    std::string (*text)(const Settings& settings);
    // Its JSON Schema, as JSON text; "#/definitions/duration" and the like name the shared value forms.
    std::string (*schema)();
    const char* sample;        // a valid value other than the default, in YAML: the registry's test parses it
    const char* default_text;  // the default, as docs/configuration.md's table shows it (Markdown)
    const char* description;   // its meaning, in that table and in the schema (Markdown)
    const char* reported_as = nullptr;  // the name a reload reports, when not `key` (a map's one field)
};

// In the order of docs/configuration.md's table.
std::span<const SettingKey> setting_keys();
const SettingKey* find_setting_key(const std::string& key);

// Whether any setting with this effect differs between the two: what a reload has to redo.
bool settings_differ(const Settings& a, const Settings& b, SettingEffect effect);

}  // namespace tend
