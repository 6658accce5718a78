#include "tend/util/json_string.hpp"

#include <cstdint>
#include <cstring>

#include "tend/util/utf8.hpp"

namespace tend {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";
constexpr char kHex[] = "0123456789abcdef";

bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Whether all eight bytes of `w` are plain, tested at once: most of a log
// line is, and a byte at a time this was most of tend's CPU with
// `log_format: json`. Each test sets a byte's high bit where that byte is
// what it looks for (or, past the first such byte, maybe also above it; a
// test of "any" is exact).
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
bool all_plain(std::uint64_t w) {
    const std::uint64_t control = (w - kOnes * 0x20) & ~w;  // a byte below 0x20
    const std::uint64_t q = w ^ (kOnes * '"');
    const std::uint64_t b = w ^ (kOnes * '\\');
    const std::uint64_t quote = (q - kOnes) & ~q;           // a byte equal to '"'
    const std::uint64_t backslash = (b - kOnes) & ~b;       // a byte equal to '\\'
    return ((control | quote | backslash | w) & kHighBits) == 0;  // w: a byte of 0x80 or more
}

}  // namespace

std::size_t plain_json_run(const unsigned char* p, std::size_t n) {
    std::size_t i = 0;
    for (std::uint64_t w; n - i >= 8; i += 8) {
        std::memcpy(&w, p + i, 8);
        if (!all_plain(w)) break;
    }
    while (i < n && plain(p[i])) ++i;
    return i;
}

void append_json_string(std::string& out, std::string_view bytes) {
    out += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    auto flush = [&] { out.append(bytes.data() + run, i - run); };
    while (i < n) {
        i += plain_json_run(p + i, n - i);
        if (i == n) break;
        unsigned char c = p[i];
        if (c >= 0x80) {
            std::size_t len = utf8_sequence_length(p + i, n - i);
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
