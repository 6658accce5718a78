#include "tend/config/config_loader.hpp"

#include <glob.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "tend/config/compose_keys.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_interpolation.hpp"
#include "tend/config/env_file.hpp"
#include "tend/config/env_file_parser.hpp"
#include "tend/config/dependency_graph.hpp"
#include "tend/config/replicas.hpp"
#include "tend/config/service_parser.hpp"
#include "tend/config/settings_parser.hpp"
#include "tend/config/yaml_document.hpp"
#include "tend/config/yaml_reader.hpp"
#include "tend/util/regular_file.hpp"


namespace tend {
namespace {

const std::string kTopKeys[] = {"settings", "services"};
const std::string kIncludedKeys[] = {"services"};

// yaml-cpp's message for a tab in indentation does not say "tab"; a newcomer's
// editor inserts them. Each such line is reported where its tab is.
bool report_tab_indentation(YamlReader& reader, std::string_view text) {
    bool found = false;
    int line = 1;
    for (std::size_t start = 0; start < text.size(); ++line) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view content = text.substr(start, end - start);
        std::size_t indent = content.find_first_not_of(" \t");
        std::size_t tab = content.substr(0, indent).find('\t');
        if (tab != std::string_view::npos && indent != std::string_view::npos && content[indent] != '#') {
            reader.error({reader.file(), line, static_cast<int>(tab) + 1}, "tabs are not allowed for indentation; use spaces");
            found = true;
        }
        start = end + 1;
    }
    return found;
}

// What ${VAR} sees: settings.env_file's variables under tend's own environment.
// The env_file setting is itself interpolated from tend's environment alone.
// Under `image` (`tend check --root DIR`) its files are read from the image's root.
void read_settings_env_files(YamlReader& reader, const YAML::Node& root, const ImageRoot& image,
                             ConfigVariables& variables) {
    if (!root.IsMap()) return;
    const YAML::Node settings = root["settings"];  // a missing key gives an invalid node: test it before use
    if (!settings || !settings.IsMap()) return;
    const YAML::Node node = settings["env_file"];
    if (!node || node.IsNull()) return;
    YamlReader own(reader.file());  // shape errors are the settings parser's to report
    const VariableLookup environment = process_variable;
    InterpolationBudget budget;
    interpolate_document(own, node, "", environment, budget);
    if (own.error_count() > 0) {
        for (const Diagnostic& d : own.errors().sorted()) reader.error(d.where, "settings.env_file" + d.message);
        return;
    }
    auto refs = parse_env_file_refs(own, node, "settings.env_file");
    if (!refs) return;
    for (EnvFileRef& ref : *refs) ref.path = image.resolve(ref.path);
    try {
        variables.add_file_variables(read_env_files(*refs, environment));
    } catch (const std::runtime_error& e) {
        reader.error(node, std::string("settings.env_file: cannot read ") + e.what());
    }
}

// A replicated service's values are interpolated once per instance (config/replicas), not here.
SkipPath replicated_paths(const YAML::Node& root) {
    if (!root.IsMap() || !root["services"] || !root["services"].IsMap()) return {};
    std::unordered_set<std::string> paths;
    for (const auto& entry : root["services"])
        if (entry.first.IsScalar() && is_replicated(entry.second)) paths.insert("services." + entry.first.Scalar());
    if (paths.empty()) return {};
    return [paths = std::move(paths)](const std::string& path) { return paths.contains(path); };
}

// A replicated service's instances, each name checked against every other service's.
void add_replicas(YamlReader& reader, const std::string& name, const std::pair<YAML::Node, YAML::Node>& entry,
                  std::string_view text, ConfigVariables& variables, InterpolationBudget& budget, Config& config,
                  std::unordered_map<std::string, SourceLocation>& defined) {
    std::vector<ServiceSpec> instances;
    expand_replicas(reader, name, entry.first, entry.second, text, variables, budget, config, instances);
    for (ServiceSpec& spec : instances) {
        auto [earlier, first] = defined.emplace(spec.name, spec.where);
        if (first) config.services.push_back(std::move(spec));
        else reader.error(entry.first, "services." + name + ": its instance " + spec.name + " has the name of services." +
                                           spec.name + " (at " + earlier->second.to_string() + "); rename one of them");
    }
}

// Parses one file's text; `main` files may hold settings, included files only services.
void parse_document(YamlReader& reader, std::string_view text, bool main, const ImageRoot& image, Config& config,
                    ConfigVariables& variables, InterpolationBudget& budget) {
    if (report_tab_indentation(reader, text)) return;
    auto loaded = load_one_document(reader, text);
    if (!loaded) return;
    if (main) read_settings_env_files(reader, *loaded, image, variables);
    reader.set_variables(variables.lookup());
    interpolate_document(reader, *loaded, text, variables.lookup(), budget, "", replicated_paths(*loaded));
    const YAML::Node root = *loaded;
    if (root.IsNull()) {  // an empty file is a valid, empty config
        if (main) config.empty = true;
        return;
    }
    if (!reader.expect_map(root, "the top level")) return;
    reader.check_keys(root, main ? std::span<const std::string>(kTopKeys) : std::span<const std::string>(kIncludedKeys),
                      "the top level");
    if (main && root["settings"]) config.settings = parse_settings(reader, root["settings"]);

    const YAML::Node services = root["services"];
    if (!services || services.IsNull()) return;
    if (!reader.expect_map(services, "services")) return;
    std::unordered_map<std::string, SourceLocation> defined;  // a linear check, for configs of any size
    for (const auto& s : config.services) defined.emplace(s.name, s.where);
    for (const auto& name : config.rejected_services) defined.emplace(name, SourceLocation{});
    // Each spec is some 1.3 KiB: growing by doubling would leave holes in the heap
    // that the services made next are allocated around.
    config.services.reserve(config.services.size() + services.size());
    for (const auto& entry : services) {
        if (!entry.first.IsScalar()) {
            reader.error(entry.first, "services: service names must be strings");
            continue;
        }
        const std::string& name = entry.first.Scalar();
        auto [earlier, first] = defined.emplace(name, reader.where(entry.first));
        if (!first) {
            const ServiceSpec* instance = config.find(name);
            reader.error(entry.first, "services." + name + (instance && !instance->replica_of.empty()
                                                                ? ": is also the name of an instance of services." + instance->replica_of + " (at " + earlier->second.to_string() + "); rename one of them"
                                                                : ": defined twice (first at " + earlier->second.to_string() + ")"));
            continue;
        }
        if (is_replicated(entry.second)) add_replicas(reader, name, entry, text, variables, budget, config, defined);
        else if (auto spec = parse_service(reader, name, entry.first, entry.second)) config.services.push_back(std::move(*spec));
        else config.rejected_services.push_back(name);
    }
}

// A file caught half-written is read again: this many reads in all, then an error.
constexpr int kReadTries = 5;

std::string read_file(const std::string& path, std::vector<FileStamp>& read) {
    try {
        FileStamp stamp;
        std::string text = read_regular_file(path, kMaxConfigBytes, stamp);
        read.push_back(std::move(stamp));
        return text;
    } catch (const std::runtime_error& e) {
        throw ConfigError({{{path, 0, 0}, std::string("cannot read config: ") + e.what()}});
    }
}

std::vector<std::string> expand_include(const std::string& pattern, const std::string& base_dir) {
    std::string full = pattern.starts_with('/') ? pattern : base_dir + "/" + pattern;
    glob_t matches{};
    std::vector<std::string> files;
    // A pattern that matches nothing is fine (conf.d may be empty); GLOB_NOMATCH says so.
    if (glob(full.c_str(), GLOB_ERR, nullptr, &matches) == 0)
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
    globfree(&matches);
    return files;  // glob sorts, so includes apply in name order
}

// Every service's user and group, looked up once the whole config is read; a
// service whose lookup fails is rejected like any service with an error.
void resolve_credentials(Config& config, ErrorList& diagnostics, const CredentialLookup& lookup) {
    std::erase_if(config.services, [&](ServiceSpec& spec) {
        if (!spec.identity) return false;
        const CredentialNames& names = *spec.identity;
        try {
            spec.credentials = lookup(names.user.value_or("0"), names.group);
            return false;
        } catch (const CredentialError& e) {
            const bool about_group = e.field() == CredentialError::Field::group || !names.user;
            diagnostics.push_back({about_group ? names.group_at : names.user_at,
                                   "services." + spec.name + (about_group ? ".group: " : ".user: ") + e.what()});
            config.rejected_services.push_back(spec.name);
            return true;
        }
    });
}

// A notify socket goes at CONTROL_SOCKET.notify/NAME: it must fit in a unix socket path too.
void check_notify_paths(const Config& config, ErrorList& diagnostics) {
    for (const auto& spec : config.services) {
        if (spec.ready.notify != NotifyKind::systemd) continue;
        std::size_t size = config.settings.control_socket.size() + std::string(".notify/").size() + spec.name.size();
        if (size > kMaxSocketPath)
            diagnostics.push_back({spec.where, "services." + spec.name + ".ready: its notify socket " +
                                                   config.settings.control_socket + ".notify/" + spec.name + " is " +
                                                   std::to_string(size) + " bytes, longer than a unix socket path may be (" +
                                                   std::to_string(kMaxSocketPath) + "); shorten control_socket or the name"});
    }
}

void finish(Config& config, ErrorList& diagnostics, const CredentialLookup& lookup) {
    const char* profiles = std::getenv("TEND_PROFILES");
    apply_profiles(config.services, profiles ? profiles : "");
    expand_replica_dependencies(config);
    check_notify_paths(config, diagnostics);
    resolve_credentials(config, diagnostics, lookup);
    const DependencyGraph graph(config.services, config.rejected_services);
    for (const Diagnostic& problem : graph.problems()) diagnostics.push_back(problem);
    // Read top to bottom, file by file (the main file first, then includes in order).
    if (!diagnostics.empty()) throw ConfigError(diagnostics);
}

}  // namespace

Config parse_config(std::string_view text, const std::string& file, const CredentialLookup& lookup) {
    Config config;
    config.file = file;
    YamlReader reader(file);
    ConfigVariables variables;
    InterpolationBudget budget;
    parse_document(reader, text, true, ImageRoot{}, config, variables, budget);
    finish(config, reader.errors(), lookup);
    return config;
}

namespace {

Config load_once(const std::string& path, const CredentialLookup& lookup, const ImageRoot& root, std::vector<FileStamp>& read) {
    Config config;
    config.file = path;
    YamlReader reader(path);
    ConfigVariables variables;
    InterpolationBudget budget;
    parse_document(reader, read_file(path, read), true, root, config, variables, budget);
    ErrorList& diagnostics = reader.errors();

    const std::string base_dir = std::filesystem::path(path).parent_path().string();
    for (const auto& pattern : config.settings.include)
        for (const auto& file : expand_include(root.host_path(pattern), base_dir.empty() ? "." : base_dir)) {
            std::error_code ec;
            if (std::filesystem::equivalent(file, path, ec)) continue;
            YamlReader included(file);
            try {
                parse_document(included, read_file(file, read), false, root, config, variables, budget);
            } catch (const ConfigError& e) {
                // Said where the include was written: a glob that matched a directory, a symlink loop.
                for (const Diagnostic& d : e.diagnostics())
                    diagnostics.push_back({config.settings.include_at, "settings.include: " + d.where.file + ": " + d.message});
            }
            diagnostics.append(included.errors());
        }
    finish(config, diagnostics, lookup);
    return config;
}

// The first file of `read` that is not the version read any more; "" when none.
std::string changed_file(const std::vector<FileStamp>& read) {
    for (const FileStamp& stamp : read)
        if (!unchanged_since(stamp)) return stamp.path;
    return "";
}

}  // namespace

// A config is only taken from files that stayed the same throughout the
// read: one caught half-written would otherwise lose (on reload: stop) every
// service past the point its writer had reached.
Config load_config_file(const std::string& path, const CredentialLookup& lookup, const ImageRoot& root) {
    for (int attempt = 1;; ++attempt) {
        std::vector<FileStamp> read;
        std::optional<Config> config;
        std::optional<ConfigError> error;
        try {
            config = load_once(path, lookup, root, read);
        } catch (const ConfigError& e) {
            error = e;
        }
        const std::string changed = changed_file(read);
        if (changed.empty()) {
            if (error) throw *error;
            return std::move(*config);
        }
        if (attempt < kReadTries) {
            // Time for its writer to finish (an editor writing in place takes a moment).
            std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
            continue;
        }
        throw ConfigError({{{changed, 0, 0},
                                "cannot read config: the file kept changing while it was read (" +
                                    std::to_string(kReadTries) + " tries); write it elsewhere and rename it into place"}});
    }
}

}  // namespace tend
