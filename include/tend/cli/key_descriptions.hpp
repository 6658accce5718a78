// One sentence per config key, for the JSON Schema's descriptions: what an editor
// shows when the cursor is on a key. Settings carry theirs in their registry rows
// (setting_keys); these are the service keys and the keys of ready, health and
// compose's healthcheck.
#pragma once

#include <span>
#include <string_view>

namespace tend {

struct KeyDescription {
    std::string_view table;  // services, ready, health, healthcheck
    std::string_view key;
    std::string_view text;
};

std::span<const KeyDescription> key_descriptions();
// The sentence for KEY of TABLE, or an empty view when there is none.
std::string_view key_description(std::string_view table, std::string_view key);

}  // namespace tend
