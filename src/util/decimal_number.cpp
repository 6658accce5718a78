#include "tend/util/decimal_number.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace tend {

std::optional<double> parse_decimal_number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    char first = text.front();
    if (first != '-' && first != '.' && first != 'i' && first != 'I' && first != 'n' && first != 'N' &&
        !(first >= '0' && first <= '9'))
        return std::nullopt;  // strtod would skip spaces and take '+'
    if (text.find_first_of("xXpP") != std::string_view::npos) return std::nullopt;  // strtod would read hex
    std::string copy(text);  // strtod wants the terminating NUL
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || errno == ERANGE) return std::nullopt;
    return value;
}

}  // namespace tend
