// YAML's merge key (`<<: *base`, `<<: [*a, *b]`), which compose files use and
// yaml-cpp 0.7 leaves as a plain key named "<<". Resolved once, right after
// loading, by a walk that also bounds what aliases expand to: yaml-cpp shares
// an aliased node instead of copying it, so a "billion laughs" document loads
// small, but every later walk of it (and every merge) would pay for each copy.
#pragma once

#include <cstddef>

#include <yaml-cpp/yaml.h>

#include "tend/config/yaml_reader.hpp"

namespace tend {

// How deep a walk may go through aliases (yaml-cpp's parser stops plain nesting at this depth too).
inline constexpr int kMaxAliasDepth = 2000;

// Replaces every merge key in `root` by the keys it names: keys written in the
// map win, then earlier maps of a list over later ones (YAML 1.1's merge rule).
// Refuses (false, with an error in `reader`) a document whose aliases would
// expand past `max_nodes` nodes or kMaxAliasDepth levels.
bool resolve_merge_keys(YamlReader& reader, YAML::Node& root, std::size_t max_nodes);

}  // namespace tend
