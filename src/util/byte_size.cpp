#include "tend/util/byte_size.hpp"

#include <cctype>
#include <charconv>
#include <string>

namespace tend {

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    std::uint64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string unit;
    for (const char* p = end; p != text.data() + text.size(); ++p)
        if (*p != ' ') unit += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "B") scale = 1;
    else if (unit == "K" || unit == "KB" || unit == "KIB") scale = 1ull << 10;
    else if (unit == "M" || unit == "MB" || unit == "MIB") scale = 1ull << 20;
    else if (unit == "G" || unit == "GB" || unit == "GIB") scale = 1ull << 30;
    else return std::nullopt;
    if (number > UINT64_MAX / scale) return std::nullopt;
    return number * scale;
}

}  // namespace tend
