#include "tend/util/json_string.hpp"

#include <cstdint>

#include "tend/util/utf8.hpp"

namespace tend {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";
constexpr char kHex[] = "0123456789abcdef";

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
