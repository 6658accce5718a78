#include "tend/util/json_scanner.hpp"

#include <clocale>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "tend/util/json_string.hpp"
#include "tend/util/utf8.hpp"

namespace tend {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// A number's value, by strtod in the C locale: std::from_chars of a double
// would do, but libstdc++'s calls fesetround, which would make tend and
// tendctl load libm.so.6 for it (src/util/rounding.cpp says why they do not).
// Too large for a double is not JSON tend can use (nlohmann::json refuses it
// too); too small is zero or a subnormal.
bool number_value(std::string_view digits, double& value) {
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", nullptr);
    if (c_locale == nullptr) return false;
    char small[64];
    std::string large;
    const char* text = small;
    if (digits.size() < sizeof small) {
        std::memcpy(small, digits.data(), digits.size());
        small[digits.size()] = '\0';
    } else {
        large.assign(digits);
        text = large.c_str();
    }
    value = strtod_l(text, nullptr, c_locale);
    return std::isfinite(value);
}

class Scanner {
public:
    Scanner(std::string_view text, JsonEvents& events) : p_(text.data()), end_(text.data() + text.size()), events_(events) {}

    bool run() {
        if (end_ - p_ >= 3 && std::string_view(p_, 3) == "\xEF\xBB\xBF") p_ += 3;
        skip_space();
        bool opened = false;
        if (!value(opened)) return false;
        while (!open_.empty()) {
            if (!next_in_container(opened)) return false;
        }
        skip_space();
        return p_ == end_;
    }

private:
    void skip_space() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    bool at(char c) const { return p_ != end_ && *p_ == c; }

    // One step inside the innermost open container: its end, or its next
    // member. `fresh` says the container was just opened (no comma before the
    // first member); it is set again when the member opens one of its own.
    bool next_in_container(bool& fresh) {
        skip_space();
        if (p_ == end_) return false;
        const bool object = open_.back();
        if (*p_ == (object ? '}' : ']')) {
            ++p_;
            open_.pop_back();
            fresh = false;
            return object ? events_.end_object() : events_.end_array();
        }
        if (!fresh) {
            if (*p_ != ',') return false;
            ++p_;
            skip_space();
        }
        if (object) {
            if (!at('"') || !string() || !events_.key(text_)) return false;
            skip_space();
            if (!at(':')) return false;
            ++p_;
            skip_space();
        }
        fresh = false;
        return value(fresh);
    }

    bool value(bool& opened) {
        if (p_ == end_) return false;
        switch (*p_) {
            case '{':
                ++p_;
                open_.push_back(true);
                opened = true;
                return events_.start_object();
            case '[':
                ++p_;
                open_.push_back(false);
                opened = true;
                return events_.start_array();
            case '"': return string() && events_.string(text_);
            case 't': return word("true") && events_.boolean(true);
            case 'f': return word("false") && events_.boolean(false);
            case 'n': return word("null") && events_.null();
            default: return number();
        }
    }

    bool word(std::string_view w) {
        if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
        p_ += w.size();
        return true;
    }

    // The string at p_ (its opening quote), decoded into text_.
    bool string() {
        ++p_;
        text_.clear();
        for (;;) {
            const char* run = p_;
            p_ += plain_json_run(reinterpret_cast<const unsigned char*>(p_), static_cast<std::size_t>(end_ - p_));
            text_.append(run, p_);
            if (p_ == end_) return false;
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c == '\\') {
                if (!escape()) return false;
                continue;
            }
            if (c < 0x20) return false;  // control characters must be escaped
            const std::size_t length =
                utf8_sequence_length(reinterpret_cast<const unsigned char*>(p_), static_cast<std::size_t>(end_ - p_));
            if (length == 0) return false;
            text_.append(p_, length);
            p_ += length;
        }
    }

    bool escape() {
        ++p_;
        if (p_ == end_) return false;
        const char c = *p_++;
        switch (c) {
            case '"':
            case '\\':
            case '/': text_ += c; return true;
            case 'b': text_ += '\b'; return true;
            case 'f': text_ += '\f'; return true;
            case 'n': text_ += '\n'; return true;
            case 'r': text_ += '\r'; return true;
            case 't': text_ += '\t'; return true;
            case 'u': return unicode_escape();
            default: return false;
        }
    }

    // Four hex digits at p_, as a UTF-16 unit.
    bool hex4(std::uint32_t& unit) {
        if (end_ - p_ < 4) return false;
        unit = 0;
        for (int i = 0; i < 4; ++i) {
            const int v = hex_value(p_[i]);
            if (v < 0) return false;
            unit = unit * 16 + static_cast<std::uint32_t>(v);
        }
        p_ += 4;
        return true;
    }

    bool unicode_escape() {
        std::uint32_t unit;
        if (!hex4(unit)) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a low surrogate with no high one before it
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            std::uint32_t low;
            if (!word("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(text_, unit);
        return true;
    }

    bool digits() {
        if (p_ == end_ || !is_digit(*p_)) return false;
        while (p_ != end_ && is_digit(*p_)) ++p_;
        return true;
    }

    bool number() {
        const char* start = p_;
        const bool negative = at('-');
        if (negative) ++p_;
        if (at('0')) ++p_;
        else if (!digits()) return false;
        bool integral = true;
        if (at('.')) {
            ++p_;
            integral = false;
            if (!digits()) return false;
        }
        if (at('e') || at('E')) {
            ++p_;
            integral = false;
            if (at('+') || at('-')) ++p_;
            if (!digits()) return false;
        }
        if (integral) {
            if (negative) {
                std::int64_t v;
                if (std::from_chars(start, p_, v).ec == std::errc{}) return events_.integer(v);
            } else {
                std::uint64_t v;
                if (std::from_chars(start, p_, v).ec == std::errc{})
                    return v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                               ? events_.integer(static_cast<std::int64_t>(v))
                               : events_.unsigned_integer(v);
            }
        }
        double v;
        if (!number_value(std::string_view(start, static_cast<std::size_t>(p_ - start)), v)) return false;
        return events_.number(v);
    }

    const char* p_;
    const char* const end_;
    JsonEvents& events_;
    std::string text_;        // the string last read
    std::vector<bool> open_;  // the open containers, innermost last: true for an object
};

}  // namespace

bool scan_json(std::string_view text, JsonEvents& events) { return Scanner(text, events).run(); }

}  // namespace tend
