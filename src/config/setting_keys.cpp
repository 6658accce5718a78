#include "tend/config/setting_keys.hpp"

#include "tend/config/env_file_parser.hpp"
#include "tend/config/key_table.hpp"
#include "tend/config/listen_address.hpp"
#include "tend/config/settings_parser.hpp"
#include "tend/util/json_string.hpp"

namespace tend {
namespace {

const std::string kExitWhenKeys[] = {"any_fatal"};
const std::string kHttpKeys[] = {"listen", "user", "password_file"};
const std::string kLogFormats[] = {"text", "json"};
const std::string kLogLevels[] = {"trace", "debug", "info", "warning", "warn", "error", "critical", "off"};

void parse_control_socket(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    auto v = reader.string(value, path);
    if (!v) return;
    if (v->empty() || (*v)[0] != '/') reader.error(value, path + ": must be an absolute path");
    else if (v->size() > kMaxSocketPath)
        reader.error(value, path + ": " + std::to_string(v->size()) + " bytes is longer than a unix socket path may be (" +
                                std::to_string(kMaxSocketPath) + ")");
    else settings.control_socket = *v;
}

void parse_control_group(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (!value.IsNull())
        if (auto v = reader.string(value, path)) settings.control_group = *v;
}

void parse_http(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (value.IsNull() || !reader.expect_map(value, path)) return;
    reader.check_keys(value, kHttpKeys, path);
    HttpSettings http;
    if (!value["listen"]) return reader.error(value, path + ": listen is required (127.0.0.1:9001 or unix:/PATH)");
    auto listen = reader.string(value["listen"], path + ".listen");
    if (!listen) return;
    auto address = parse_listen_address(*listen);
    if (auto* error = std::get_if<std::string>(&address)) return reader.error(value["listen"], path + ".listen: " + *error);
    http.listen = *listen;
    if (value["user"])
        if (auto v = reader.string(value["user"], path + ".user")) http.user = *v;
    if (value["password_file"])
        if (auto v = reader.string(value["password_file"], path + ".password_file")) {
            if (v->empty() || (*v)[0] != '/')
                return reader.error(value["password_file"], path + ".password_file: must be an absolute path");
            http.password_file = *v;
        }
    if (http.user.empty() != http.password_file.empty())
        return reader.error(value, path + ": user and password_file go together");
    if (http.user.empty() && !std::get<ListenAddress>(address).loopback())
        return reader.error(value["listen"], path + ".listen: " + *listen +
                                                 " is reachable from other hosts: give user and password_file");
    settings.http = std::move(http);
}

std::string http_text(const Settings& s) {
    if (!s.http) return "off";
    return s.http->listen + (s.http->user.empty() ? "" : " (user " + s.http->user + ", " + s.http->password_file + ")");
}

void parse_shutdown_timeout(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (auto v = reader.duration(value, path)) settings.shutdown_timeout = *v;
}

void parse_kill_grace(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (auto v = reader.duration(value, path)) settings.kill_grace = *v;
}

void parse_log_format(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (auto v = reader.choice(value, path, kLogFormats)) settings.log_format = static_cast<LogFormat>(*v);
}

void parse_log_level(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (auto v = reader.choice(value, path, kLogLevels)) settings.log_level = kLogLevels[*v];
}

void parse_include(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    settings.include_at = reader.where(value);
    if (value.IsScalar()) settings.include = {value.Scalar()};
    else if (auto v = reader.string_list(value, path)) settings.include = *v;
}

void parse_exit_when(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (!reader.expect_map(value, path)) return;
    reader.check_keys(value, kExitWhenKeys, path);
    if (value["any_fatal"])
        if (auto v = reader.boolean(value["any_fatal"], path + ".any_fatal")) settings.exit_on_any_fatal = *v;
}

void parse_env_file(YamlReader& reader, const YAML::Node& value, const std::string& path, Settings& settings) {
    if (auto v = parse_env_file_refs(reader, value, path)) settings.env_files = std::move(*v);
}

std::string list_text(const std::vector<std::string>& values) {
    std::string out = "[";
    for (const auto& v : values) out += (out.size() > 1 ? ", " : "") + v;
    return out + "]";
}

std::string env_files_text(const std::vector<EnvFileRef>& files) {
    std::vector<std::string> named;
    for (const EnvFileRef& f : files) named.push_back(f.path + (f.required ? "" : " (optional)"));
    return list_text(named);
}

std::string enum_schema(std::span<const std::string> names) {
    std::string out = R"({"enum": [)";
    for (const std::string& name : names) {
        if (&name != names.data()) out += ", ";
        append_json_string(out, name);
    }
    return out + "]}";
}

std::string socket_schema() {
    return R"({"type": "string", "pattern": "^/", "maxLength": )" + std::to_string(kMaxSocketPath) + "}";
}

#define TEND_SCHEMA(text) []() -> std::string { return text; }
constexpr const char* kDuration = R"({"$ref": "#/definitions/duration"})";

const SettingKey kSettingKeys[] = {
    {"control_socket", parse_control_socket, SettingEffect::control_socket,
     [](const Settings& s) { return s.control_socket; }, socket_schema, "/run/other.sock",
     "`$TEND_SOCKET`, else `/run/tend.sock`", "unix socket of the control protocol (absolute path), mode 0600"},
    {"control_group", parse_control_group, SettingEffect::control_socket,
     [](const Settings& s) { return s.control_group.value_or("none"); },
     TEND_SCHEMA(R"({"type": ["string", "integer", "null"]})"), "nogroup", "none",
     "group whose members may also use the socket (the socket becomes mode 0660, owned by that group)"},
    {"http", parse_http, SettingEffect::http, http_text,
     TEND_SCHEMA(R"({"type": ["object", "null"], "properties": {"listen": {"type": "string"}, )"
                 R"("user": {"type": "string"}, "password_file": {"type": "string", "pattern": "^/"}}, )"
                 R"("required": ["listen"], "additionalProperties": false})"),
     "{listen: \"unix:/run/tend-http.sock\"}", "none (off)",
     "the HTTP front: `{listen: \"127.0.0.1:9001\"}` (an IP address and port) or `{listen: \"unix:/run/tend-http.sock\"}`, "
     "with `user` and `password_file` (a file holding the password) for HTTP basic auth. It serves `/metrics` "
     "(Prometheus), `/healthz`, `/readyz`, `/health/NAME` and supervisord's XML-RPC at `/RPC2`, so `supervisorctl -s "
     "http://ADDRESS` works, and a status page for a browser at `/` (see docs/control-protocol.md, HTTP). An address other "
     "than loopback needs `user` and `password_file`; a unix socket admits who may use the control socket."},
    {"shutdown_timeout", parse_shutdown_timeout, SettingEffect::next_use,
     [](const Settings& s) { return format_duration(s.shutdown_timeout); }, TEND_SCHEMA(kDuration), "1m", "`30s`",
     "hard deadline for the whole shutdown; past it everything is SIGKILLed and tend exits 1"},
    {"kill_grace", parse_kill_grace, SettingEffect::next_use,
     [](const Settings& s) { return format_duration(s.kill_grace); }, TEND_SCHEMA(kDuration), "500ms", "`3s`",
     "final sweep of leftover processes: SIGTERM, this long, SIGKILL"},
    {"log_format", parse_log_format, SettingEffect::logging,
     [](const Settings& s) { return kLogFormats[static_cast<std::size_t>(s.log_format)]; },
     [] { return enum_schema(kLogFormats); }, "json", "`text`",
     "`text` or `json` (one object per line: `time`, `level`, `source`, `msg`)"},
    {"log_level", parse_log_level, SettingEffect::logging, [](const Settings& s) { return s.log_level; },
     [] { return enum_schema(kLogLevels); }, "debug", "`info`",
     "`trace`, `debug`, `info`, `warning`, `error`, `critical`, `off`"},
    {"include", parse_include, SettingEffect::load, [](const Settings& s) { return list_text(s.include); },
     TEND_SCHEMA(R"({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})"),
     "[conf.d/*.yaml]", "none",
     "a glob or list of globs; relative ones are relative to the main file's directory. Each matching file (in name "
     "order) may hold only a `services:` map. A pattern that matches nothing is not an error."},
    {"env_file", parse_env_file, SettingEffect::load, [](const Settings& s) { return env_files_text(s.env_files); },
     TEND_SCHEMA(R"({"anyOf": [{"$ref": "#/definitions/env_file_entry"}, )"
                 R"({"type": "array", "items": {"$ref": "#/definitions/env_file_entry"}}]})"),
     "[{path: local.env, required: false}]", "none",
     "a file of `KEY=VALUE` lines (compose's env file format, see [Env files](#env-files)), a list of them, or "
     "`[{path: FILE, required: false}]`; relative paths are relative to the main file's directory. Its variables are "
     "values for `${VAR}` (like compose's `.env`), under tend's own environment, which wins; they are not passed to "
     "services (give a service `env_file:` or `environment: [NAME]` for that). Read at each load, so a reload reads it "
     "again. A missing required file is a config error at this key. The path itself is interpolated from tend's own "
     "environment only."},
    {"exit_when", parse_exit_when, SettingEffect::next_use,
     [](const Settings& s) { return std::string(s.exit_on_any_fatal ? "true" : "false"); },
     TEND_SCHEMA(R"({"type": "object", "properties": {"any_fatal": {"$ref": "#/definitions/boolean"}}, )"
                 R"("additionalProperties": false})"),
     "{any_fatal: true}", "`{any_fatal: false}`",
     "`{any_fatal: true}`: when any service gives up (`fatal`, or a one-shot `failed`), tend shuts down in order and "
     "exits 1, so an orchestrator can restart the container. Per service: `on_fatal: shutdown`.",
     "exit_when.any_fatal"},
};

#undef TEND_SCHEMA

}  // namespace

std::span<const SettingKey> setting_keys() { return kSettingKeys; }

const SettingKey* find_setting_key(const std::string& key) { return find_key(setting_keys(), key); }

bool settings_differ(const Settings& a, const Settings& b, SettingEffect effect) {
    for (const SettingKey& k : kSettingKeys)
        if (k.effect == effect && k.text(a) != k.text(b)) return true;
    return false;
}

std::span<const std::string> settings_key_names() { return key_names(setting_keys()); }
std::span<const std::string> log_format_names() { return kLogFormats; }
std::span<const std::string> log_level_names() { return kLogLevels; }

}  // namespace tend
