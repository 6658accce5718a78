#include "tend/config/env_file_parser.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "tend/config/env_file.hpp"

namespace tend {
namespace {

const std::string kLongFormKeys[] = {"path", "required"};

std::optional<EnvFileRef> parse_one(YamlReader& reader, const YAML::Node& node, const std::string& path,
                                    const std::filesystem::path& base_dir) {
    EnvFileRef ref;
    std::optional<std::string> file;
    if (node.IsMap()) {
        reader.check_keys(node, kLongFormKeys, path);
        if (!node["path"]) {
            reader.error(node, path + ": missing required key 'path'");
            return std::nullopt;
        }
        file = reader.string(node["path"], path + ".path");
        if (const YAML::Node required = node["required"])
            if (auto b = reader.boolean(required, path + ".required")) ref.required = *b;
    } else {
        file = reader.string(node, path);
    }
    if (!file) return std::nullopt;
    if (file->empty() || file->find('\0') != std::string::npos) {
        reader.error(node, path + ": expected a file name");
        return std::nullopt;
    }
    ref.path = (base_dir / *file).lexically_normal().string();
    return ref;
}

}  // namespace

std::optional<std::vector<EnvFileRef>> parse_env_file_refs(YamlReader& reader, const YAML::Node& node,
                                                           const std::string& path) {
    std::error_code ec;
    std::filesystem::path base_dir = std::filesystem::absolute(reader.file(), ec).parent_path();
    if (ec) base_dir = std::filesystem::path(reader.file()).parent_path();
    std::vector<EnvFileRef> refs;
    bool ok = true;
    if (node.IsSequence()) {
        std::size_t i = 0;
        for (const auto& item : node) {
            auto ref = parse_one(reader, item, path + "[" + std::to_string(i++) + "]", base_dir);
            if (ref) refs.push_back(std::move(*ref));
            else ok = false;
        }
    } else if (auto ref = parse_one(reader, node, path, base_dir)) {
        refs.push_back(std::move(*ref));
    } else {
        ok = false;
    }
    if (!ok) return std::nullopt;
    return refs;
}

std::map<std::string, std::string> read_env_files(const std::vector<EnvFileRef>& files, const VariableLookup& environment) {
    std::map<std::string, std::string> out;
    // A file's $VAR sees the files before it, then the environment (compose's order).
    const VariableLookup earlier_then_environment = [&](std::string_view name) -> std::optional<std::string> {
        if (auto it = out.find(std::string(name)); it != out.end()) return it->second;
        return environment(name);
    };
    for (const EnvFileRef& file : files) {
        struct stat st {};
        if (!file.required && stat(file.path.c_str(), &st) < 0 && errno == ENOENT) continue;
        for (auto& [name, value] : read_env_file(file.path, earlier_then_environment))
            out.insert_or_assign(name, std::move(value));
    }
    return out;
}

}  // namespace tend
