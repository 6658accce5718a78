#include "tend/config/settings_parser.hpp"

#include "tend/config/setting_keys.hpp"

namespace tend {

Settings parse_settings(YamlReader& reader, const YAML::Node& node) {
    Settings settings;
    if (node.IsNull()) return settings;
    if (!reader.expect_map(node, "settings")) return settings;
    reader.for_each_known(node, settings_key_names(), "settings", [&](const std::string& key, const YAML::Node& value) {
        find_setting_key(key)->parse(reader, value, "settings." + key, settings);
    });
    return settings;
}

}  // namespace tend
