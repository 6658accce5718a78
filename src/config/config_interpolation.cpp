#include "tend/config/config_interpolation.hpp"

#include <unordered_map>
#include <vector>

#include "tend/config/env_file.hpp"

namespace tend {
namespace {

// yaml-cpp gives a node no address, but an alias and its anchor are one node
// (Node::is), at one place in the text: nodes are told apart by place, then by is().
class SeenNodes {
public:
    bool first_visit(const YAML::Node& node) {
        // A node made after parsing has no place; nothing refers to it twice,
        // and one bucket of them all would make this quadratic.
        if (node.Mark().pos < 0) return true;
        auto& at = by_position_[node.Mark().pos];
        for (const YAML::Node& seen : at)
            if (seen.is(node)) return false;
        at.push_back(node);
        return true;
    }

private:
    std::unordered_map<int, std::vector<YAML::Node>> by_position_;
};

// The place of byte `offset` of a scalar's value: exact when the value is
// written as is on one line (plain, or quoted without escapes), else the value's start.
SourceLocation place_of(const YamlReader& reader, const YAML::Node& node, std::string_view source,
                        const std::string& value, std::size_t offset) {
    SourceLocation at = reader.where(node);
    const auto pos = static_cast<std::size_t>(node.Mark().pos);
    if (at.line == 0 || pos >= source.size() || value.find('\n') != std::string::npos) return at;
    const std::size_t quote = source[pos] == '"' || source[pos] == '\'' ? 1 : 0;
    if (source.substr(pos + quote, value.size()) == value) at.column += static_cast<int>(quote + offset);
    return at;
}

struct Pending {
    YAML::Node node;
    std::string path;
};

void interpolate_scalar(YamlReader& reader, YAML::Node& node, const std::string& path, std::string_view source,
                        const VariableLookup& lookup, InterpolationBudget& budget) {
    const std::string& text = node.Scalar();
    if (!has_interpolation(text)) return;
    try {
        std::string value = interpolate(text, lookup);
        if (value.size() > text.size()) {
            const std::size_t growth = value.size() - text.size();
            if (growth > budget.growth_left) {
                reader.error(node, path + ": interpolation would make the config more than " +
                                       std::to_string(kMaxInterpolationGrowth >> 20) + " MiB larger than written");
                return;
            }
            budget.growth_left -= growth;
        }
        node = value;
    } catch (const InterpolationError& e) {
        reader.error(place_of(reader, node, source, text, e.offset()), path + ": " + e.what());
    }
}

// A scalar without ${...}: interpolation leaves it as it is.
bool plain_scalar(const YAML::Node& node) { return node.IsScalar() && !has_interpolation(node.Scalar()); }

}  // namespace

void ConfigVariables::add_file_variables(const std::map<std::string, std::string>& variables) {
    for (const auto& [name, value] : variables) from_files_.insert_or_assign(name, value);
}

std::optional<std::string> ConfigVariables::find(std::string_view name) const {
    if (auto value = process_variable(name)) return value;
    if (auto it = from_files_.find(name); it != from_files_.end()) return it->second;
    return std::nullopt;
}

// An explicit stack, not recursion: how deep a document nests is its author's choice.
void interpolate_document(YamlReader& reader, YAML::Node root, std::string_view source, const VariableLookup& lookup,
                          InterpolationBudget& budget, const std::string& prefix, const SkipPath& skip) {
    SeenNodes seen;
    std::vector<Pending> stack{{root, prefix}};
    while (!stack.empty()) {
        Pending item = std::move(stack.back());
        stack.pop_back();
        if (!item.node.IsDefined() || item.node.IsNull()) continue;
        if (item.node.IsScalar()) {
            // Only a value that changes must not be changed twice: the others need no record.
            if (has_interpolation(item.node.Scalar()) && seen.first_visit(item.node))
                interpolate_scalar(reader, item.node, item.path, source, lookup, budget);
            continue;
        }
        if (!seen.first_visit(item.node)) continue;
        if (item.node.IsSequence()) {
            std::vector<Pending> items;
            std::size_t index = 0;
            for (const auto& element : item.node) {
                // A plain value has nothing to replace: no path built for it, nothing stacked.
                if (!plain_scalar(element)) items.push_back({element, item.path + "[" + std::to_string(index) + "]"});
                ++index;
            }
            stack.insert(stack.end(), std::make_move_iterator(items.rbegin()), std::make_move_iterator(items.rend()));
        } else if (item.node.IsMap()) {
            std::vector<Pending> entries;
            for (const auto& entry : item.node) {
                // Most of a file (200,000 keys of one service, say) is plain values: no path for them.
                if (plain_scalar(entry.second)) continue;
                const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
                const std::string path = item.path.empty() ? key : item.path + "." + key;
                if (path != "settings.env_file" && !(skip && skip(path))) entries.push_back({entry.second, path});
            }
            stack.insert(stack.end(), std::make_move_iterator(entries.rbegin()), std::make_move_iterator(entries.rend()));
        }
    }
}

}  // namespace tend
