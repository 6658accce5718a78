// Typed reads from yaml-cpp nodes that never throw: each failed read records a
// Diagnostic at the node's position and returns nothing, so one pass over a
// file reports all of its problems.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "tend/config/config_error.hpp"

namespace tend {

class YamlReader {
public:
    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    SourceLocation where(const YAML::Node& node) const;
    void error(const YAML::Node& node, std::string message);
    void error(SourceLocation where, std::string message);
    // Past the errors that will be shown, a did-you-mean is work nobody reads.
    bool suggesting() const { return diagnostics_.size() < kShownConfigErrors; }

    // `path` names the node in messages, e.g. "services.web.restart".
    bool expect_map(const YAML::Node& node, const std::string& path);
    // Reports each key not in `allowed`, with a did-you-mean hint.
    void check_keys(const YAML::Node& map, std::span<const std::string> allowed, const std::string& path);
    // Calls `each(key, value)` for every string key of a map.
    void for_each_entry(const YAML::Node& map, const std::string& path,
                        const std::function<void(const std::string&, const YAML::Node&)>& each);

    std::optional<std::string> string(const YAML::Node& node, const std::string& path);
    std::optional<bool> boolean(const YAML::Node& node, const std::string& path);
    std::optional<long long> integer(const YAML::Node& node, const std::string& path, long long min, long long max);
    std::optional<double> number(const YAML::Node& node, const std::string& path, double min);
    std::optional<Duration> duration(const YAML::Node& node, const std::string& path);
    std::optional<std::uint64_t> byte_size(const YAML::Node& node, const std::string& path);
    std::optional<int> signal(const YAML::Node& node, const std::string& path);
    std::optional<std::vector<std::string>> string_list(const YAML::Node& node, const std::string& path);
    // One of `choices` (as written in YAML); returns its index.
    std::optional<std::size_t> choice(const YAML::Node& node, const std::string& path,
                                      std::span<const std::string> choices);

    const std::string& file() const { return file_; }
    std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

private:
    bool first_occurrence(const YAML::Node& key, std::map<std::string, YAML::Mark>& seen, const std::string& path);
    std::optional<std::string> scalar(const YAML::Node& node, const std::string& path, const char* expected);

    std::string file_;
    std::vector<Diagnostic> diagnostics_;
    std::unordered_set<std::string> said_;  // "line:column:message", so each is said once in linear time
};

}  // namespace tend
