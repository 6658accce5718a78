// supervisord's config file format, as Python's configparser reads it for
// supervisord: [sections], `key = value` or `key=value`, `;` and `#` comment
// lines, ` ;` inline comments, and values continued on indented lines.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tend {

struct IniEntry {
    std::string key;    // lower-cased, as configparser does
    std::string value;  // continuation lines joined with '\n'
    int line = 0;
    std::string file;  // where it was read: sections of one name from several files are merged
};

struct IniSection {
    std::string name;  // "program:web", "group:app", "supervisord"
    int line = 0;
    std::vector<IniEntry> entries;

    const IniEntry* find(const std::string& key) const;
};

struct IniFile {
    std::string path;
    std::vector<IniSection> sections;
};

// Throws std::runtime_error "FILE:LINE: what" for a line that is neither a
// section, an entry, a continuation nor a comment.
IniFile parse_ini(const std::string& text, const std::string& path);

}  // namespace tend
