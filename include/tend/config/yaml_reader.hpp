// Typed reads from yaml-cpp nodes that never throw: each failed read records a
// Diagnostic at the node's position and returns nothing, so one pass over a
// file reports all of its problems.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tend/config/config_error.hpp"
#include "tend/config/interpolation.hpp"
#include "tend/util/hash_set64.hpp"

namespace tend {

// map[key] without yaml-cpp's cost: its operator[] converts every key of the
// map to a std::string to compare it, so each look-up in a service of 200,000
// keys made 200,000 copies. This one compares in place. An undefined node when
// `key` is not there, as operator[] gives.
YAML::Node map_value(const YAML::Node& map, std::string_view key);

class YamlReader {
public:
    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    SourceLocation where(const YAML::Node& node) const;
    void error(const YAML::Node& node, std::string message);
    void error(SourceLocation where, std::string message);
    // Past the errors that will be shown, a did-you-mean is work nobody reads.
    bool suggesting() const { return errors_.total() < kShownConfigErrors; }

    // `path` names the node in messages, e.g. "services.web.restart".
    bool expect_map(const YAML::Node& node, const std::string& path);
    // Reports each key not in `allowed`, with a did-you-mean hint. Keys
    // starting with "x-" (compose's extension fields) are skipped.
    void check_keys(const YAML::Node& map, std::span<const std::string> allowed, const std::string& path);
    using EntryVisitor = std::function<void(const std::string& key, const YAML::Node& value)>;
    // Calls `each(key, value)` for every string key of a map.
    void for_each_entry(const YAML::Node& map, const std::string& path, const EntryVisitor& each);
    // check_keys and for_each_entry in one walk: `each` sees the allowed keys only.
    void for_each_known(const YAML::Node& map, std::span<const std::string> allowed, const std::string& path,
                        const EntryVisitor& each);

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

    // Where `environment: [NAME]` takes NAME's value: the variables ${NAME} would
    // see (tend's own environment unless the loader gives its own).
    void set_variables(VariableLookup variables) { variables_ = std::move(variables); }
    std::optional<std::string> variable(std::string_view name) const;

    const std::string& file() const { return file_; }
    ErrorList& errors() { return errors_; }
    std::size_t error_count() const { return errors_.total(); }

private:
    using KeyMarks = std::unordered_map<std::string_view, YAML::Mark>;
    void walk(const YAML::Node& map, const std::string& path, const std::span<const std::string>* allowed,
              const EntryVisitor* each);
    void unknown_key(const YAML::Node& key, const std::string& path, std::span<const std::string> allowed);
    bool first_occurrence(const YAML::Node& key, KeyMarks& seen, const std::string& path);
    std::optional<std::string> scalar(const YAML::Node& node, const std::string& path, const char* expected);

    std::string file_;
    VariableLookup variables_;
    ErrorList errors_;
    HashSet64 said_;  // hashes of (line, column, message): each said once, in linear time
};

}  // namespace tend
