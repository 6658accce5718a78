#include "tend/config/interpolation.hpp"

#include <algorithm>
#include <vector>

namespace tend {
namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

std::string shown_length(std::size_t bytes) {
    return bytes % (1024 * 1024) == 0 ? std::to_string(bytes / (1024 * 1024)) + " MiB" : std::to_string(bytes) + " bytes";
}

// One pass over the text, left to right: each ${ opens a level, its word runs
// to the } that closes it. Words not taken (the default of a set variable)
// are still read, to find their end and their mistakes, but their unset
// variables are no error: compose's lazy reading, which users expect.
class Expander {
public:
    Expander(std::string_view text, const VariableLookup& lookup, const InterpolationRules& rules)
        : text_(text), lookup_(lookup), rules_(rules) {}

    std::string run() {
        std::string out;
        expand(out, 0, true);
        return out;
    }

private:
    // Up to the end of the text (depth 0) or the } closing this level's word.
    // Bare braces inside a word pair up as compose pairs them: ${A:-{x}} is "{x}".
    void expand(std::string& out, int depth, bool live) {
        int braces = 0;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (depth > 0 && c == '}') {
                if (braces == 0) {
                    ++pos_;
                    return;
                }
                --braces;
            } else if (depth > 0 && c == '{') {
                ++braces;
            } else if (c == '$' && pos_ + 1 < text_.size()) {
                const char next = text_[pos_ + 1];
                if (next == '$') {
                    append(out, "$");
                    pos_ += 2;
                    continue;
                }
                if (next == '{') {
                    braced(out, depth + 1, live);
                    continue;
                }
                if (rules_.plain_names && name_start(next)) {
                    const std::size_t start = pos_;
                    pos_ += 1;
                    append(out, value_of(read_name(), start, live).value_or(""));
                    continue;
                }
            }
            // Up to the next character that may mean something, in one copy.
            std::size_t next = text_.find_first_of(depth > 0 ? "${}" : "$", pos_ + 1);
            if (next == std::string_view::npos) next = text_.size();
            append(out, text_.substr(pos_, next - pos_));
            pos_ = next;
        }
        if (depth > 0) throw InterpolationError(opened_.back(), "unterminated '${' (no closing '}')");
    }

    std::string_view read_name() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && name_char(text_[pos_])) ++pos_;
        return text_.substr(start, pos_ - start);
    }

    std::optional<std::string> value_of(std::string_view name, std::size_t at, bool live) {
        std::optional<std::string> value = lookup_(name);
        if (!value && live && rules_.unset_is_error) {
            const std::string n(name);
            throw InterpolationError(at, "${" + n + "} is not set; give it a default (${" + n +
                                             ":-value}), or write $${" + n + "} to leave it to the service's shell");
        }
        return value;
    }

    // At "${": the name, then "}" or an operator and its word.
    void braced(std::string& out, int depth, bool live) {
        const std::size_t start = pos_;
        if (depth > kMaxInterpolationDepth)
            throw InterpolationError(start, "'${' nested more than " + std::to_string(kMaxInterpolationDepth) + " levels deep");
        pos_ += 2;
        opened_.push_back(start);
        const std::string_view name = read_name();
        if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
            throw InterpolationError(start, invalid(start, "a variable name (letters, digits and '_', not a digit first)"));
        if (pos_ >= text_.size()) throw InterpolationError(start, "unterminated '${' (no closing '}')");
        if (text_[pos_] == '}') {
            ++pos_;
            opened_.pop_back();
            if (auto value = value_of(name, start, live)) append(out, *value);
            return;
        }
        const bool colon = text_[pos_] == ':';
        const char op = pos_ + (colon ? 1 : 0) < text_.size() ? text_[pos_ + (colon ? 1 : 0)] : '\0';
        if (op != '-' && op != '+' && op != '?') {
            if (colon) ++pos_;  // shown with the character after the colon
            throw InterpolationError(start, invalid(start, "'}' or one of :- - :? ? :+ + after the name"));
        }
        pos_ += colon ? 2 : 1;
        const std::optional<std::string> value = lookup_(name);
        const bool has_value = value && (!colon || !value->empty());
        const bool take_word = op == '-' ? !has_value : op == '+' ? has_value : !has_value;
        std::string word;
        expand(word, depth, live && take_word);
        opened_.pop_back();
        if (!live) return;
        if (op == '?' && take_word)
            throw InterpolationError(start, std::string(name) + " is required" + (word.empty() ? "" : ": " + word) +
                                                " (" + (colon ? "set and not empty" : "set") + ", by ${" + std::string(name) +
                                                (colon ? ":?" : "?") + "...})");
        if (take_word) append(out, word);
        else if (op != '+') append(out, value.value_or(""));
    }

    std::string invalid(std::size_t start, const std::string& expected) const {
        const std::string_view shown = text_.substr(start, std::min<std::size_t>(pos_ - start + 1, 40));
        return "invalid '" + std::string(shown) + "': expected " + expected +
               "; write $$ for a literal $ (e.g. $${...} for the service's shell)";
    }

    void append(std::string& out, std::string_view more) {
        if (out.size() + more.size() > rules_.max_length)
            throw InterpolationError(0, "longer than " + shown_length(rules_.max_length) + " once interpolated");
        out.append(more);
    }

    std::string_view text_;
    const VariableLookup& lookup_;
    const InterpolationRules& rules_;
    std::size_t pos_ = 0;
    std::vector<std::size_t> opened_;  // where each open ${ is, for "unterminated"
};

}  // namespace

bool has_interpolation(std::string_view text, const InterpolationRules& rules) {
    for (std::size_t at = text.find('$'); at != std::string_view::npos && at + 1 < text.size(); at = text.find('$', at + 1)) {
        const char next = text[at + 1];
        if (next == '$' || next == '{' || (rules.plain_names && name_start(next))) return true;
    }
    return false;
}

std::string interpolate(std::string_view text, const VariableLookup& lookup, const InterpolationRules& rules) {
    if (!has_interpolation(text, rules)) return std::string(text);
    return Expander(text, lookup, rules).run();
}

}  // namespace tend
