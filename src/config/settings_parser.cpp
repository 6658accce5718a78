#include "tend/config/settings_parser.hpp"

#include <spdlog/spdlog.h>

#include "tend/config/env_file_parser.hpp"

namespace tend {
namespace {

const std::string kKeys[] = {"control_socket", "control_group", "shutdown_timeout", "kill_grace",
                             "log_format",     "log_level",     "include",   "exit_when",
                             "env_file"};
const std::string kExitWhenKeys[] = {"any_fatal"};
const std::string kLogFormats[] = {"text", "json"};
const std::string kLogLevels[] = {"trace", "debug", "info", "warning", "warn", "error", "critical", "off"};

}  // namespace

std::span<const std::string> settings_key_names() { return kKeys; }
std::span<const std::string> log_format_names() { return kLogFormats; }
std::span<const std::string> log_level_names() { return kLogLevels; }

Settings parse_settings(YamlReader& reader, const YAML::Node& node) {
    Settings settings;
    if (node.IsNull()) return settings;
    if (!reader.expect_map(node, "settings")) return settings;
    reader.check_keys(node, kKeys, "settings");
    reader.for_each_entry(node, "settings", [&](const std::string& key, const YAML::Node& value) {
        const std::string path = "settings." + key;
        if (key == "control_socket") {
            if (auto v = reader.string(value, path)) {
                if (v->empty() || (*v)[0] != '/') reader.error(value, path + ": must be an absolute path");
                else if (v->size() > kMaxSocketPath)
                    reader.error(value, path + ": " + std::to_string(v->size()) + " bytes is longer than a unix socket path may be (" +
                                            std::to_string(kMaxSocketPath) + ")");
                else settings.control_socket = *v;
            }
        } else if (key == "control_group") {
            if (!value.IsNull())
                if (auto v = reader.string(value, path)) settings.control_group = *v;
        } else if (key == "shutdown_timeout") {
            if (auto v = reader.duration(value, path)) settings.shutdown_timeout = *v;
        } else if (key == "kill_grace") {
            if (auto v = reader.duration(value, path)) settings.kill_grace = *v;
        } else if (key == "log_format") {
            if (auto v = reader.choice(value, path, kLogFormats)) settings.log_format = static_cast<LogFormat>(*v);
        } else if (key == "log_level") {
            if (auto v = reader.choice(value, path, kLogLevels)) settings.log_level = kLogLevels[*v];
        } else if (key == "include") {
            settings.include_at = reader.where(value);
            if (value.IsScalar()) settings.include = {value.Scalar()};
            else if (auto v = reader.string_list(value, path)) settings.include = *v;
        } else if (key == "env_file") {
            if (auto v = parse_env_file_refs(reader, value, path)) settings.env_files = std::move(*v);
        } else if (key == "exit_when") {
            if (!reader.expect_map(value, path)) return;
            reader.check_keys(value, kExitWhenKeys, path);
            if (value["any_fatal"])
                if (auto v = reader.boolean(value["any_fatal"], path + ".any_fatal")) settings.exit_on_any_fatal = *v;
        }
    });
    return settings;
}

}  // namespace tend
