// Every key a service may have, in one table: how it is parsed, what a reload
// does when it changes, and how two values compare. The parser, the list of
// known keys (and its did-you-mean) and the reload diff all read this table, so
// a new key is one entry here and cannot be forgotten by one of them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// What a reload does when the key's value changed.
enum class ReloadEffect {
    restart,   // the running process was made from it (argv, environment, uid, fds): stop, start anew
    in_place,  // used from its next use on: same process, counters kept
};

// Values that need the whole entry before they mean anything (a user and its
// group resolve together), kept while a service's keys are read.
struct ServiceParse {
    std::optional<std::string> user, group;
    YAML::Node user_node, group_node;
    // Compose's spellings, settled once every key is read (config/compose_keys).
    std::optional<std::string> user_group;                 // GROUP of user: "USER:GROUP"
    std::optional<int> restart_count;                      // N of restart: on-failure:N
    std::optional<std::vector<std::string>> entrypoint;    // entrypoint, as arguments
    YAML::Node entrypoint_node;
    std::optional<std::string> command_string;             // command as a string: split after an entrypoint
};

struct ServiceKey {
    const char* key;
    void (*parse)(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                  ServiceParse& pending);
    ReloadEffect effect;
    bool (*same)(const ServiceSpec& a, const ServiceSpec& b);
    const char* sample;  // a valid value other than the default, in YAML: the registry's own test uses it
    // Another spelling of this key (compose's): a reload reports its changes under that key.
    const char* spelling_of = nullptr;
};

// In the order of DESIGN.md's keys, so a reload plan reads like the config.
std::span<const ServiceKey> service_keys();
const ServiceKey* find_service_key(const std::string& key);
// The keys' names, in the same order: what a service may hold, for did-you-mean.
std::span<const std::string> service_key_names();

}  // namespace tend
