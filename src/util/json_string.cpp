#include "tend/util/json_string.hpp"

#include <cstdint>

namespace tend {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";
constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at `p`, or 0 if it is not one (overlong
// forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_length(const unsigned char* p, std::size_t left) {
    unsigned char c = p[0];
    auto cont = [&](std::size_t i) { return i < left && (p[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
        if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
        if (c == 0xF4 && p[1] >= 0x90) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view bytes) {
    out += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    auto flush = [&] { out.append(bytes.data() + run, i - run); };
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            std::size_t len = utf8_length(p + i, n - i);
            if (len > 0) {
                i += len;
                continue;
            }
            flush();
            out += kReplacement;
            run = ++i;
            continue;
        }
        flush();
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xF];
        }
        run = ++i;
    }
    flush();
    out += '"';
}

}  // namespace tend
