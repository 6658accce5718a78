// A floating-point number read from text as std::from_chars reads it (no
// leading space or '+', no hex), through strtod: libstdc++'s from_chars for
// double needs libm's fesetround, and tend and tendctl link no libm
// (src/util/rounding.cpp says why).
#pragma once

#include <optional>
#include <string_view>

namespace tend {

// The whole text as a number, or nothing (empty, trailing characters, out of range).
std::optional<double> parse_decimal_number(std::string_view text);

}  // namespace tend
