#include "tend/config/yaml_reader.hpp"
#include "tend/util/byte_size.hpp"
#include "tend/util/decimal_number.hpp"

#include <algorithm>

#include <charconv>
#include <cmath>

#include "tend/config/env_file.hpp"
#include "tend/util/edit_distance.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

const char* kind_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Scalar: return "a scalar";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Undefined: return "nothing";
    }
    return "something else";
}

std::string join(std::span<const std::string> words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
        out += words[i];
    }
    return out;
}

}  // namespace

YAML::Node map_value(const YAML::Node& map, std::string_view key) {
    if (map.IsMap())
        for (const auto& entry : map)
            if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
    return YAML::Node(YAML::NodeType::Undefined);
}

std::optional<std::string> YamlReader::variable(std::string_view name) const {
    return variables_ ? variables_(name) : process_variable(name);
}

SourceLocation YamlReader::where(const YAML::Node& node) const {
    auto mark = node.Mark();
    if (mark.line < 0) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
}

void YamlReader::error(const YAML::Node& node, std::string message) {
    error(where(node), std::move(message));
}

void YamlReader::error(SourceLocation at, std::string message) {
    // A map may be walked twice (its keys checked, then its values read): say
    // each thing once. Kept as a hash, not a copy of each message: with
    // 200,000 errors the copies were a tenth of the time.
    const std::uint64_t said = std::hash<std::string>{}(message) ^
                               (static_cast<std::uint64_t>(at.line) << 32 | static_cast<std::uint32_t>(at.column)) *
                                   0x9E3779B97F4A7C15ULL;
    if (!said_.insert(said)) return;
    errors_.push_back({std::move(at), std::move(message)});
}

// Said once per key, like error(), but known by its place and name rather
// than by its text, so that the text (and its did-you-mean) is built only for
// the errors that will be shown: a file of 200,000 unknown keys builds 100.
void YamlReader::unknown_key(const YAML::Node& key, const std::string& path, std::span<const std::string> allowed) {
    const std::string& name = key.Scalar();
    SourceLocation at = where(key);
    const std::uint64_t identity = (std::hash<std::string>{}(name) * 0x100000001B3ULL + std::hash<std::string>{}(path)) ^
                                   0x756E6B6E6F776E00ULL;  // "unknown": not a message's hash
    if (!said_.insert(identity ^ (static_cast<std::uint64_t>(at.line) << 32 | static_cast<std::uint32_t>(at.column)) *
                                     0x9E3779B97F4A7C15ULL))
        return;
    if (errors_.count_if_unkept(at)) return;
    errors_.push_back({std::move(at), path + ": unknown key '" + name + "'" + (suggesting() ? did_you_mean(name, allowed) : "")});
}

bool YamlReader::expect_map(const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) return true;
    error(node, path + ": expected a map, got " + kind_name(node));
    return false;
}

// yaml-cpp keeps the first of two equal keys and drops the second silently;
// a config edited by hand must not lose half of itself that way.
// The keys are views of the document's own strings, which outlive the walk.
bool YamlReader::first_occurrence(const YAML::Node& key, KeyMarks& seen, const std::string& path) {
    auto [it, inserted] = seen.emplace(key.Scalar(), key.Mark());
    if (!inserted)
        error(key, path + ": duplicate key '" + key.Scalar() + "' (first at line " + std::to_string(it->second.line + 1) + ")");
    return inserted;
}

void YamlReader::walk(const YAML::Node& map, const std::string& path, const std::span<const std::string>* allowed,
                      const EntryVisitor* each) {
    KeyMarks seen;
    seen.reserve(map.size());
    for (const auto& entry : map) {
        const YAML::Node& key = entry.first;
        if (!key.IsScalar()) {
            error(key, path + ": keys must be names, got " + std::string(kind_name(key)));
            continue;
        }
        if (!first_occurrence(key, seen, path)) continue;
        const std::string& name = key.Scalar();
        // Compose's extension fields (x-anything) hold what the file's author
        // reuses through anchors; wherever keys are fixed, they are not tend's.
        if (allowed && name.starts_with("x-")) continue;
        if (allowed && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
            unknown_key(key, path, *allowed);
            continue;
        }
        if (each) (*each)(name, entry.second);
    }
}

void YamlReader::check_keys(const YAML::Node& map, std::span<const std::string> allowed, const std::string& path) {
    walk(map, path, &allowed, nullptr);
}

void YamlReader::for_each_entry(const YAML::Node& map, const std::string& path, const EntryVisitor& each) {
    walk(map, path, nullptr, &each);
}

void YamlReader::for_each_known(const YAML::Node& map, std::span<const std::string> allowed, const std::string& path,
                                const EntryVisitor& each) {
    walk(map, path, &allowed, &each);
}

std::optional<std::string> YamlReader::scalar(const YAML::Node& node, const std::string& path, const char* expected) {
    if (node.IsScalar()) return node.Scalar();
    error(node, path + ": expected " + expected + ", got " + kind_name(node));
    return std::nullopt;
}

std::optional<std::string> YamlReader::string(const YAML::Node& node, const std::string& path) {
    return scalar(node, path, "a string");
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, const std::string& path) {
    auto text = scalar(node, path, "true or false");
    if (!text) return std::nullopt;
    if (*text == "true" || *text == "yes" || *text == "on") return true;
    if (*text == "false" || *text == "no" || *text == "off") return false;
    error(node, path + ": expected true or false, got '" + *text + "'");
    return std::nullopt;
}

std::optional<long long> YamlReader::integer(const YAML::Node& node, const std::string& path, long long min,
                                             long long max) {
    auto text = scalar(node, path, "a whole number");
    if (!text) return std::nullopt;
    long long value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        error(node, path + ": expected a whole number, got '" + *text + "'");
        return std::nullopt;
    }
    if (value < min || value > max) {
        error(node, path + ": " + *text + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
        return std::nullopt;
    }
    return value;
}

std::optional<double> YamlReader::number(const YAML::Node& node, const std::string& path, double min) {
    auto text = scalar(node, path, "a number");
    if (!text) return std::nullopt;
    std::optional<double> parsed = parse_decimal_number(*text);
    if (!parsed) {
        error(node, path + ": expected a number, got '" + *text + "'");
        return std::nullopt;
    }
    double value = *parsed;
    if (!std::isfinite(value)) {
        error(node, path + ": expected a finite number, got '" + *text + "'");
        return std::nullopt;
    }
    if (!(value >= min)) {
        error(node, path + ": " + *text + " is below the minimum " + std::to_string(min).substr(0, 3));
        return std::nullopt;
    }
    return value;
}

std::optional<Duration> YamlReader::duration(const YAML::Node& node, const std::string& path) {
    auto text = scalar(node, path, "a duration");
    if (!text) return std::nullopt;
    auto value = parse_duration(*text);
    if (!value) error(node, path + ": invalid duration '" + *text + "' (expected e.g. 250ms, 10s, 2m, 1h or seconds; at most 87600h)");
    return value;
}

std::optional<std::uint64_t> YamlReader::byte_size(const YAML::Node& node, const std::string& path) {
    auto text = scalar(node, path, "a size");
    if (!text) return std::nullopt;
    auto value = parse_byte_size(*text);
    if (!value) error(node, path + ": invalid size '" + *text + "' (expected e.g. 10MiB, 512K, 1G or bytes)");
    return value;
}

std::optional<int> YamlReader::signal(const YAML::Node& node, const std::string& path) {
    auto text = scalar(node, path, "a signal");
    if (!text) return std::nullopt;
    auto value = parse_signal(*text);
    if (!value) error(node, path + ": unknown signal '" + *text + "' (expected e.g. TERM, SIGINT or 15)");
    return value;
}

std::optional<std::vector<std::string>> YamlReader::string_list(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence()) {
        error(node, path + ": expected a list, got " + kind_name(node));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = scalar(node[i], path + "[" + std::to_string(i) + "]", "a string");
        if (item) out.push_back(*item);
        else ok = false;
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::size_t> YamlReader::choice(const YAML::Node& node, const std::string& path,
                                              std::span<const std::string> choices) {
    auto text = scalar(node, path, "a name");
    if (!text) return std::nullopt;
    for (std::size_t i = 0; i < choices.size(); ++i)
        if (*text == choices[i]) return i;
    error(node, path + ": expected " + join(choices) + ", got '" + *text + "'");
    return std::nullopt;
}

}  // namespace tend
