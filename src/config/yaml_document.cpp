#include "tend/config/yaml_document.hpp"
#include "tend/config/yaml_merge.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

namespace tend {
namespace {

// Notes where each document starts; nothing else.
struct DocumentStarts final : YAML::EventHandler {
    std::vector<YAML::Mark> starts;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

SourceLocation at(const YamlReader& reader, const YAML::Mark& mark) {
    return {reader.file(), mark.line + 1, mark.column + 1};
}

std::string shown_char(std::string_view text, int pos) {
    if (pos < 0 || static_cast<std::size_t>(pos) >= text.size()) return "end of file";
    unsigned char c = static_cast<unsigned char>(text[static_cast<std::size_t>(pos)]);
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", c);
    return std::string("byte ") + hex;
}

// A line that starts a document (`---`) or ends one (`...`) after some
// content: perhaps a second document.
bool marker_after_content(std::string_view text) {
    bool content = false;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        bool marker = (line.starts_with("---") || line.starts_with("...")) &&
                      (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
        if (marker && content) return true;
        std::size_t first = line.find_first_not_of(" \t\r");
        if (!marker && first != std::string_view::npos && line[first] != '#') content = true;
    }
    return false;
}

// Anything but blanks, comments and document markers.
bool has_content(std::string_view text) {
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#' || line.starts_with("---") || line.starts_with("..."))
            continue;
        return true;
    }
    return false;
}

std::optional<YAML::Node> load_root(YamlReader& reader, std::string_view text) {
    try {
        YAML::Node root = YAML::Load(std::string(text));
        // The bounded walk costs a second parse: only when a second document
        // may follow, or when text with content loaded as nothing.
        if (!marker_after_content(text) && !(root.IsNull() && has_content(text))) return root;
        std::istringstream in{std::string(text)};
        YAML::Parser parser(in);
        DocumentStarts documents;
        // Two documents are enough to know; a third look only tells a stuck parser apart.
        for (int i = 0; i < 3 && parser.HandleNextDocument(documents); ++i) {
            const auto& s = documents.starts;
            if (s.size() >= 2 && s[s.size() - 1].pos == s[s.size() - 2].pos) {
                reader.error(at(reader, s.back()), "invalid YAML: unexpected " + shown_char(text, s.back().pos));
                return std::nullopt;
            }
        }
        if (documents.starts.size() > 1) {
            reader.error(at(reader, documents.starts[1]),
                         "a second YAML document (after '---'): a config file holds one; split it into include files instead");
            return std::nullopt;
        }
        return root;
    } catch (const YAML::DeepRecursion& e) {
        reader.error(at(reader, e.mark), "too deeply nested (more than " + std::to_string(e.depth()) +
                                             " levels of lists or maps)");
    } catch (const YAML::Exception& e) {
        reader.error(at(reader, e.mark), "invalid YAML: " + e.msg);
    }
    return std::nullopt;
}

// Whether the text may hold an alias (*name) or a merge key (<<, or one
// tagged !!merge). Without either, the merge walk has nothing to do: no node
// repeats, and none is nested deeper than yaml-cpp's own limit. Skipping it
// then saves some 3% of reading a large config, on the path to the first start.
bool may_alias_or_merge(std::string_view text) {
    return text.find('*') != std::string_view::npos || text.find("<<") != std::string_view::npos ||
           text.find("merge") != std::string_view::npos;
}

}  // namespace

// A document without aliases has fewer nodes than bytes; the margin is for
// what aliases and merge keys legitimately repeat.
std::optional<YAML::Node> load_one_document(YamlReader& reader, std::string_view text) {
    auto root = load_root(reader, text);
    if (root && may_alias_or_merge(text) && !resolve_merge_keys(reader, *root, 100'000 + 2 * text.size()))
        return std::nullopt;
    return root;
}

}  // namespace tend
