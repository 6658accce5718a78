#include "tend/config/env_file.hpp"

#include <cstdlib>

#include "tend/util/regular_file.hpp"

namespace tend {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == '[' || c == ']';
}

const InterpolationRules kEnvFileRules{.plain_names = true, .unset_is_error = false};

// Compose's escapes in double quotes; \$ stays $$, a literal $ once interpolated.
std::string unescape_double_quoted(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\' || i + 1 == raw.size()) {
            out += raw[i];
            continue;
        }
        const char c = raw[++i];
        switch (c) {
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'v': out += '\v'; break;
            case '\\': out += '\\'; break;
            case '"': out += '"'; break;
            case '$': out += "$$"; break;
            default: out += '\\'; out += c;
        }
    }
    return out;
}

class EnvFileParser {
public:
    EnvFileParser(std::string_view text, const VariableLookup& environment) : text_(text), environment_(environment) {}

    std::map<std::string, std::string> run() {
        while (next_statement()) {
            if (text_.substr(pos_).starts_with("export") && pos_ + 6 < text_.size() && blank(text_[pos_ + 6])) {
                pos_ += 6;
                skip_blanks();
            }
            statement();
        }
        return std::move(out_);
    }

private:
    // Past blank lines and comments; false at the end.
    bool next_statement() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\n') ++line_;
            if (c == '#') {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
                continue;
            }
            if (!blank(c) && c != '\n') return true;
            ++pos_;
        }
        return false;
    }

    void skip_blanks() {
        while (pos_ < text_.size() && blank(text_[pos_])) ++pos_;
    }

    void statement() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && key_char(text_[pos_])) ++pos_;
        const std::string key(text_.substr(start, pos_ - start));
        skip_blanks();
        if (pos_ == text_.size() || text_[pos_] == '\n' || text_[pos_] == '#') {
            if (key.empty()) throw EnvFileError(line_, "expected KEY=VALUE");
            // KEY alone: compose takes it from the environment, or leaves it unset.
            if (auto value = environment_(key)) out_[key] = *value;
            while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
            return;
        }
        const char c = text_[pos_];
        if (key.empty() || (c != '=' && c != ':')) {
            const std::string shown = c >= 0x20 && c < 0x7f ? std::string("'") + c + "'" : "a control byte";
            throw EnvFileError(line_, "unexpected " + shown + " in the variable name (expected KEY=VALUE)");
        }
        ++pos_;
        skip_blanks();
        const int at = line_;
        std::string value = pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'') ? quoted() : unquoted();
        if (value.find('\0') != std::string::npos)
            throw EnvFileError(at, key + ": contains a NUL byte, which an environment cannot carry");
        out_[key] = std::move(value);
    }

    std::string unquoted() {
        std::size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        std::string_view value = text_.substr(pos_, end - pos_);
        pos_ = end;
        if (auto comment = value.find(" #"); comment != std::string_view::npos) value = value.substr(0, comment);
        while (!value.empty() && blank(value.back())) value.remove_suffix(1);
        return expand(value);
    }

    // Up to the closing quote (lines included); a backslash escapes that quote.
    std::string quoted() {
        const char quote = text_[pos_];
        const int opened = line_;
        std::string raw;
        for (++pos_; pos_ < text_.size(); ++pos_) {
            const char c = text_[pos_];
            if (c == '\n') ++line_;
            if (c == '\\' && pos_ + 1 < text_.size()) {
                if (text_[pos_ + 1] != quote) raw += '\\';
                raw += text_[++pos_];
                continue;
            }
            if (c != quote) {
                raw += c;
                continue;
            }
            ++pos_;
            skip_blanks();
            if (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '#')
                throw EnvFileError(line_, "unexpected text after the closing quote (a comment starts with '#')");
            return quote == '"' ? expand(unescape_double_quoted(raw)) : raw;
        }
        throw EnvFileError(opened, std::string("unterminated quoted value (no closing ") + quote + ")");
    }

    std::string expand(std::string_view value) {
        try {
            return interpolate(value, [this](std::string_view name) -> std::optional<std::string> {
                if (auto it = out_.find(std::string(name)); it != out_.end()) return it->second;
                return environment_(name);
            }, kEnvFileRules);
        } catch (const InterpolationError& e) {
            throw EnvFileError(line_, e.what());
        }
    }

    std::string_view text_;
    const VariableLookup& environment_;
    std::size_t pos_ = 0;
    int line_ = 1;
    std::map<std::string, std::string> out_;
};

}  // namespace

std::map<std::string, std::string> parse_env_file(std::string_view text, const VariableLookup& environment) {
    return EnvFileParser(text, environment).run();
}

std::map<std::string, std::string> read_env_file(const std::string& path, const VariableLookup& environment) {
    std::string text;
    try {
        text = read_regular_file(path, kMaxEnvFileBytes);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    try {
        return parse_env_file(text, environment);
    } catch (const EnvFileError& e) {
        throw std::runtime_error(path + ":" + std::to_string(e.line()) + ": " + e.what());
    }
}

std::optional<std::string> process_variable(std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
}

}  // namespace tend
