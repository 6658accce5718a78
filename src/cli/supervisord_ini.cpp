#include "tend/cli/supervisord_ini.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "tend/util/utf8.hpp"

namespace tend {
namespace {

std::string trim(const std::string& s) {
    auto begin = std::find_if_not(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
    auto end = std::find_if_not(s.rbegin(), s.rend(), [](unsigned char c) { return std::isspace(c); }).base();
    return begin < end ? std::string(begin, end) : std::string();
}

// supervisord's configparser takes " ;" (a semicolon after whitespace) as the
// start of a comment inside a value.
std::string without_inline_comment(const std::string& value) {
    for (std::size_t i = 1; i < value.size(); ++i)
        if (value[i] == ';' && std::isspace(static_cast<unsigned char>(value[i - 1]))) return trim(value.substr(0, i));
    return value;
}

}  // namespace

const IniEntry* IniSection::find(const std::string& key) const {
    for (const IniEntry& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

IniFile parse_ini(const std::string& text, const std::string& path) {
    IniFile file{path, {}};
    std::istringstream in(text);
    std::string raw;
    int number = 0;
    IniEntry* last = nullptr;
    auto fail = [&](const std::string& what) { throw std::runtime_error(path + ":" + std::to_string(number) + ": " + what); };
    while (std::getline(in, raw)) {
        ++number;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        if (auto bad = first_invalid_utf8(raw))  // as supervisord, which reads its config as UTF-8
            fail("not UTF-8 text (byte " + std::to_string(*bad + 1) + " of the line)");
        const std::string line = trim(raw);
        if (line.empty() || line[0] == ';' || line[0] == '#') continue;
        if (std::isspace(static_cast<unsigned char>(raw[0])) && last) {  // a continuation line
            last->value += (last->value.empty() ? "" : "\n") + without_inline_comment(line);
            continue;
        }
        if (line[0] == '[') {
            if (line.back() != ']') fail("a section header must end with ']': " + line);
            file.sections.push_back({trim(line.substr(1, line.size() - 2)), number, {}});
            last = nullptr;
            continue;
        }
        auto eq = line.find_first_of("=:");
        if (eq == std::string::npos) fail("expected key = value, got '" + line + "'");
        if (file.sections.empty()) fail("an entry before any [section]: " + line);
        std::string key = trim(line.substr(0, eq));
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
        file.sections.back().entries.push_back({key, without_inline_comment(trim(line.substr(eq + 1))), number, path});
        last = &file.sections.back().entries.back();
    }
    return file;
}

}  // namespace tend
