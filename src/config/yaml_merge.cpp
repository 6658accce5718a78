#include "tend/config/yaml_merge.hpp"

#include <string>
#include <vector>

namespace tend {
namespace {

// A plain `<<`; a quoted "<<" is an ordinary key.
bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == "<<" && (key.Tag() == "?" || key.Tag() == "tag:yaml.org,2002:merge");
}

class MergeWalk {
public:
    MergeWalk(YamlReader& reader, std::size_t max_nodes) : reader_(reader), max_nodes_(max_nodes) {}

    // False once the walk was refused; the error is recorded.
    bool visit(YAML::Node node, int depth) {
        if (refused_) return false;
        if (++visited_ > max_nodes_ || depth > kMaxAliasDepth) return refuse(node, depth);
        if (node.IsSequence()) {
            for (std::size_t i = 0; i < node.size(); ++i)
                if (!visit(node[i], depth + 1)) return false;
        } else if (node.IsMap()) {
            if (!merge(node, depth)) return false;
            std::vector<YAML::Node> values;
            values.reserve(node.size());
            for (const auto& entry : node) values.push_back(entry.second);
            for (YAML::Node& value : values)
                if (!visit(value, depth + 1)) return false;
        }
        return true;
    }

private:
    bool refuse(const YAML::Node& node, int depth) {
        refused_ = true;
        if (depth > kMaxAliasDepth)
            reader_.error(node, "nested more than " + std::to_string(kMaxAliasDepth) +
                                    " levels deep through aliases (an alias inside what it names?)");
        else
            reader_.error(node, "its aliases (*name) expand to more than " + std::to_string(max_nodes_) +
                                    " nodes: refused, as a \"billion laughs\" document would be");
        return false;
    }

    // The maps a merge key names, each walked first so its own merges are done.
    bool sources_of(const YAML::Node& value, int depth, std::vector<YAML::Node>& sources) {
        if (!visit(value, depth + 1)) return false;
        if (value.IsMap()) {
            sources.push_back(value);
        } else if (value.IsSequence()) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (value[i].IsMap()) sources.push_back(value[i]);
                else reader_.error(value[i], "<<[" + std::to_string(i) + "]: expected an alias to a map, e.g. *base");
            }
        } else {
            reader_.error(value, "<<: expected an alias to a map (<<: *base) or a list of them (<<: [*a, *b])");
        }
        return true;
    }

    bool merge(YAML::Node& map, int depth) {
        std::vector<YAML::Node> merge_keys, merge_values;
        for (const auto& entry : map)
            if (is_merge_key(entry.first)) {
                merge_keys.push_back(entry.first);
                merge_values.push_back(entry.second);
            }
        if (merge_keys.empty()) return true;
        if (merge_keys.size() > 1) {
            reader_.error(merge_keys[1], "<<: given twice in one map; merge several with <<: [*a, *b]");
            return true;
        }
        std::vector<YAML::Node> sources;
        if (!sources_of(merge_values[0], depth, sources)) return false;
        map.remove(merge_keys[0]);
        const YAML::Node& written = map;  // a const lookup does not add the key it looks for
        for (const YAML::Node& source : sources)
            for (const auto& entry : source) {
                if (++visited_ > max_nodes_) return refuse(map, depth);
                if (entry.first.IsScalar() && written[entry.first.Scalar()]) continue;
                map.force_insert(entry.first, entry.second);  // the nodes themselves: their positions stay
            }
        return true;
    }

    YamlReader& reader_;
    std::size_t max_nodes_;
    std::size_t visited_ = 0;
    bool refused_ = false;
};

}  // namespace

bool resolve_merge_keys(YamlReader& reader, YAML::Node& root, std::size_t max_nodes) {
    return MergeWalk(reader, max_nodes).visit(root, 0);
}

}  // namespace tend
