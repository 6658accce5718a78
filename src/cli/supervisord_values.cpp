#include "tend/cli/supervisord_values.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace tend {

// One `%(name)FLAGSs` reference's value, formatted as Python's % operator would
// for the conversions supervisord configs use: s, and d/i with a width and a 0 flag.
std::string format_reference(const std::string& value, const std::string& spec) {
    const char conversion = spec.empty() ? 's' : spec.back();
    if (conversion != 'd' && conversion != 'i') return value;
    const std::string flags = spec.substr(0, spec.size() - 1);
    const bool zero = !flags.empty() && flags[0] == '0';
    std::size_t width = 0;  // held to 255: a config asking for more pads no number that far
    for (char c : flags)
        if (std::isdigit(static_cast<unsigned char>(c))) width = std::min<std::size_t>(width * 10 + (c - '0'), 255);
    std::string digits = std::to_string(std::strtoll(value.c_str(), nullptr, 10));
    return digits.size() >= width ? digits : std::string(width - digits.size(), zero ? '0' : ' ') + digits;
}

// Python's shlex.split in POSIX mode, which supervisord uses for `command`: no shell runs it.
std::vector<std::string> split_command(const std::string& command) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < command.size(); ++i) {
        char c = command[i];
        if (quote == '\'') {
            if (c == '\'') quote = 0;
            else word += c;
        } else if (quote == '"') {
            if (c == '"') quote = 0;
            else if (c == '\\' && i + 1 < command.size() && std::string("\\\"$`\n").find(command[i + 1]) != std::string::npos)
                word += command[++i];
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote) throw std::runtime_error("unbalanced quote in " + command);
    if (in_word) words.push_back(word);
    return words;
}

// `KEY="value",KEY2=plain,KEY3='x'`, supervisord's environment= format.
std::vector<std::pair<std::string, std::string>> split_environment(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ',')) ++i;
        auto eq = text.find('=', i);
        if (i >= text.size() || eq == std::string::npos) break;
        std::string key = text.substr(i, eq - i);
        key.erase(key.find_last_not_of(" \t\n") + 1);
        // (Also what keeps it a YAML key: an implicit key has at most 1024 characters.)
        if (key.empty() || key.size() > 255 ||
            !std::all_of(key.begin(), key.end(), [](unsigned char c) { return c > ' ' && c != 0x7f; }))
            throw std::runtime_error("'" + key.substr(0, 64) + "' is not a variable name");
        i = eq + 1;
        std::string value;
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
            char q = text[i++];
            auto end = text.find(q, i);
            if (end == std::string::npos) throw std::runtime_error("unbalanced quote in " + text);
            value = text.substr(i, end - i);
            i = end + 1;
        } else {
            auto end = text.find(',', i);
            if (end == std::string::npos) end = text.size();
            value = text.substr(i, end - i);
            value.erase(value.find_last_not_of(" \t\n") + 1);
            i = end;
        }
        out.emplace_back(key, value);
    }
    return out;
}

bool truthy(const std::string& v) {
    std::string s = v;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "true" || s == "yes" || s == "on" || s == "1";
}

}  // namespace tend
