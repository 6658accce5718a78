// The one YAML document of a config file. yaml-cpp's Load reads the first
// document and drops the rest without a word, and both Load and LoadAll have
// inputs they neither read nor reject (",a" loads as nothing, and LoadAll
// loops on it forever, allocating): the text is walked first, bounded, so a
// second document or a stuck parser is an error with its position.
#pragma once

#include <optional>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "tend/config/yaml_reader.hpp"

namespace tend {

// The document's root (a null node for an empty text), or nullopt once an
// error with its position was given to `reader`.
std::optional<YAML::Node> load_one_document(YamlReader& reader, std::string_view text);

}  // namespace tend
