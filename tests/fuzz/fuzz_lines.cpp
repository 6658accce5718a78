// A service's output in arbitrary chunks: every byte comes out once, in
// order, in lines no longer than the limit. And the same bytes as a JSON
// string (log_format: json): always valid JSON, which reads back as the
// bytes themselves when they were UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tend/output/line_splitter.hpp"
#include "tend/util/json_string.hpp"
#include "tend/util/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // The first byte picks the line limit, the second the chunk size.
    const std::size_t limit = 1 + data[0] % 64;
    const std::size_t chunk = 1 + data[1] % 32;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
    tend::LineSplitter splitter(limit);
    std::string out;
    auto sink = [&](std::string_view text, bool continued) {
        if (text.size() > limit) __builtin_trap();
        if (!out.empty() && !continued) out += '\n';
        out.append(text);
    };
    for (std::size_t at = 0; at < bytes.size(); at += chunk) splitter.feed(bytes.substr(at, chunk), sink);
    splitter.flush(sink);
    // What came out, newlines put back and CRs before them dropped, is what went in.
    std::string expected;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
        expected += bytes[i];
    }
    if (!expected.empty() && expected.back() == '\n') expected.pop_back();
    if (out.size() > expected.size() + 1) __builtin_trap();

    std::string quoted;
    tend::append_json_string(quoted, bytes);
    auto parsed = nlohmann::json::parse(quoted, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_string()) __builtin_trap();
    if (!tend::first_invalid_utf8(bytes) && parsed.get<std::string>() != bytes) __builtin_trap();
    return 0;
}
