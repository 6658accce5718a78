#include "tend/service/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace tend {

Duration backoff_delay(const Backoff& backoff, int failures) {
    if (failures <= 1 || backoff.initial.count() == 0) return std::min(backoff.initial, backoff.max);
    // Computed in floating point and capped before converting, so a long streak of
    // failures saturates at max instead of overflowing.
    double ms = static_cast<double>(backoff.initial.count()) * std::pow(backoff.factor, failures - 1);
    double cap = static_cast<double>(backoff.max.count());
    if (!(ms < cap)) return backoff.max;  // also a NaN or an infinity from a huge factor
    return Duration(static_cast<long long>(ms));
}

}  // namespace tend
