#include "tend/service/backoff.hpp"

#include <algorithm>

namespace tend {
namespace {

// base^exponent by squaring: exact for the usual factor 2, and no libm (src/util/rounding.cpp).
double power(double base, int exponent) {
    double result = 1.0;
    for (; exponent > 0; exponent >>= 1, base *= base)
        if (exponent & 1) result *= base;
    return result;
}

}  // namespace

Duration backoff_delay(const Backoff& backoff, int failures) {
    if (failures <= 1 || backoff.initial.count() == 0) return std::min(backoff.initial, backoff.max);
    // Computed in floating point and capped before converting, so a long streak of
    // failures saturates at max instead of overflowing.
    double ms = static_cast<double>(backoff.initial.count()) * power(backoff.factor, failures - 1);
    double cap = static_cast<double>(backoff.max.count());
    if (!(ms < cap)) return backoff.max;  // also a NaN or an infinity from a huge factor
    return Duration(static_cast<long long>(ms));
}

}  // namespace tend
