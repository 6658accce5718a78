// ceil, floor, lround, llround and fmod, defined here so that tend and tendctl
// need no libm.so.6: the first four (called by fmt's and spdlog's inline code
// and by a few conversions of seconds to milliseconds) and pugixml's fmod (its
// XPath `mod`, linked in with the XML-RPC reader though tend runs no XPath)
// were all they took from it. A shared object costs PID 1 a mapping and its
// relocations (libm: 164 KiB of tend's PSS), tendctl a load at every call, and
// the portable bundle 340 KB compressed (0.9 MB unpacked). Static libm is no
// way out: glibc's libm.a needs the static libc's internals.
//
// Exact for every double: a value of magnitude 2^52 or more (and an infinity
// or NaN) is already integral and is returned as it is; below that the
// conversion to long long is exact. Signs of zero follow C: ceil(-0.5) is -0.
#include <climits>

namespace {

constexpr double kIntegral = 4503599627370496.0;  // 2^52: from here on every double is an integer

bool already_integral(double x) { return !(x < kIntegral && x > -kIntegral); }

double truncated(double x) { return static_cast<double>(static_cast<long long>(x)); }

template <class Integer>
Integer rounded_half_away(double x, Integer out_of_range) {
    const double bound = -static_cast<double>(out_of_range);  // 2^63, exact
    if (!(x >= -bound && x < bound)) return out_of_range;  // NaN or beyond the type: glibc's "invalid" result
    double whole = truncated(x);
    double rest = x - whole;
    if (rest >= 0.5) whole += 1.0;
    if (rest <= -0.5) whole -= 1.0;
    return static_cast<Integer>(whole);
}

}  // namespace

extern "C" {

double ceil(double x) {
    if (already_integral(x)) return x;
    double t = truncated(x);
    return __builtin_copysign(t < x ? t + 1.0 : t, x);
}

double floor(double x) {
    if (already_integral(x)) return x;
    double t = truncated(x);
    return __builtin_copysign(t > x ? t - 1.0 : t, x);
}

long lround(double x) { return rounded_half_away<long>(x, LONG_MIN); }

long long llround(double x) { return rounded_half_away<long long>(x, LLONG_MIN); }

#if defined(__x86_64__) || defined(__i386__)
// The x87's partial remainder, repeated until complete (C2 clear), as glibc's
// own i386 fmod did: exact, with the dividend's sign; NaN for a zero divisor
// or an infinite dividend, the dividend itself for an infinite divisor. Each
// step takes 32 to 63 bits (the processor's choice) off the quotient's
// exponent, at most 2,098: about 66 steps at worst.
// (errno is not set: nothing in tend reads it after fmod.) Elsewhere libm's is linked.
double fmod(double x, double y) {
    long double rest = x;
    const long double divisor = y;
    unsigned short status;
    do {
        asm("fprem\n\tfnstsw %0" : "=a"(status), "+t"(rest) : "u"(divisor));
    } while (status & 0x400);
    return static_cast<double>(rest);
}
#endif

}  // extern "C"
