#include "tend/config/config_loader.hpp"

#include <glob.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "tend/config/config_error.hpp"
#include "tend/config/dependency_graph.hpp"
#include "tend/config/service_parser.hpp"
#include "tend/config/settings_parser.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {
namespace {

const std::string kTopKeys[] = {"settings", "services"};
const std::string kIncludedKeys[] = {"services"};

// Parses one file's text; `main` files may hold settings, included files only services.
void parse_document(YamlReader& reader, std::string_view text, bool main, Config& config) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        reader.error({reader.file(), e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + e.msg);
        return;
    }
    if (root.IsNull()) return;  // an empty file is a valid, empty config
    if (!reader.expect_map(root, "the top level")) return;
    reader.check_keys(root, main ? std::span<const std::string>(kTopKeys) : std::span<const std::string>(kIncludedKeys),
                      "the top level");
    if (main && root["settings"]) config.settings = parse_settings(reader, root["settings"]);

    const YAML::Node services = root["services"];
    if (!services || services.IsNull()) return;
    if (!reader.expect_map(services, "services")) return;
    std::unordered_map<std::string, SourceLocation> defined;  // a linear check, for configs of any size
    for (const auto& s : config.services) defined.emplace(s.name, s.where);
    for (const auto& entry : services) {
        if (!entry.first.IsScalar()) {
            reader.error(entry.first, "services: service names must be strings");
            continue;
        }
        const std::string& name = entry.first.Scalar();
        auto [earlier, first] = defined.emplace(name, reader.where(entry.first));
        if (!first) {
            reader.error(entry.first, "services." + name + ": defined twice (first at " + earlier->second.to_string() + ")");
            continue;
        }
        if (auto spec = parse_service(reader, name, entry.first, entry.second)) config.services.push_back(std::move(*spec));
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        throw ConfigError({{{path, 0, 0}, std::string("cannot read config: ") + std::strerror(err)}});
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
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

void finish(Config& config, std::vector<Diagnostic>& diagnostics) {
    auto problems = DependencyGraph(config.services).problems();
    diagnostics.insert(diagnostics.end(), problems.begin(), problems.end());
    if (!diagnostics.empty()) throw ConfigError(std::move(diagnostics));
}

}  // namespace

Config parse_config(std::string_view text, const std::string& file) {
    Config config;
    config.file = file;
    YamlReader reader(file);
    parse_document(reader, text, true, config);
    finish(config, reader.diagnostics());
    return config;
}

Config load_config_file(const std::string& path) {
    Config config;
    config.file = path;
    YamlReader reader(path);
    parse_document(reader, read_file(path), true, config);
    std::vector<Diagnostic> diagnostics = std::move(reader.diagnostics());

    const std::string base_dir = std::filesystem::path(path).parent_path().string();
    for (const auto& pattern : config.settings.include)
        for (const auto& file : expand_include(pattern, base_dir.empty() ? "." : base_dir)) {
            if (std::filesystem::equivalent(file, path)) continue;
            YamlReader included(file);
            try {
                parse_document(included, read_file(file), false, config);
            } catch (const ConfigError& e) {
                diagnostics.insert(diagnostics.end(), e.diagnostics().begin(), e.diagnostics().end());
            }
            diagnostics.insert(diagnostics.end(), included.diagnostics().begin(), included.diagnostics().end());
        }
    finish(config, diagnostics);
    return config;
}

}  // namespace tend
