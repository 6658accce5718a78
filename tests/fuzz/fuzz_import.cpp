// Bytes in: a supervisord.conf for `tend import`. Out: a refusal that names the
// file, or YAML that parses, with no keys but settings and services at the top
// (a value or a note that broke out of its quoting or its comment would add
// one), which tend's loader reads or refuses with a place. Never a crash.
// The file system is a map: [include] globs match the file itself, or nothing.
#include <fnmatch.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <yaml-cpp/yaml.h>

#include "fake_credentials.hpp"
#include "tend/cli/supervisord_import.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"

namespace {

const std::string kPath = "/fuzz/supervisord.conf";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    tend::ImportSource source{
        [&](const std::string& path) {
            if (path != kPath) throw std::runtime_error(path + ": cannot read: No such file or directory");
            return text;
        },
        [](const std::string& pattern) {
            return fnmatch(pattern.c_str(), kPath.c_str(), FNM_PATHNAME) == 0 ? std::vector<std::string>{kPath}
                                                                               : std::vector<std::string>{};
        },
    };
    std::string yaml;
    try {
        const tend::ImportOptions options{.priority_order = size % 2 == 1};  // both ways, by the input's length
        yaml = tend::import_supervisord(kPath, options, source);
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find(kPath) == std::string::npos) __builtin_trap();  // says which file
        return 0;
    }
    const YAML::Node root = YAML::Load(yaml);  // throws (a crash) when the output is not YAML
    if (!root.IsMap()) __builtin_trap();
    for (const auto& entry : root) {
        const std::string key = entry.first.as<std::string>();
        if (key != "settings" && key != "services") __builtin_trap();
    }
    try {
        (void)tend::parse_config(yaml, "imported.yaml", tend::fake_credentials);
    } catch (const tend::ConfigError& e) {
        for (const auto& d : e.diagnostics())
            if (d.where.file.empty()) __builtin_trap();
    }
    return 0;
}
