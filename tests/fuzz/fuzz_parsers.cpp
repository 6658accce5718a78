// Durations, sizes and signal names as written in a config or on a command
// line: parsed or refused, and what parses prints back to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tend/util/byte_size.hpp"
#include "tend/util/duration.hpp"
#include "tend/util/signal_names.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto d = tend::parse_duration(text)) {
        if (*d < tend::Duration{0} || *d > tend::kMaxDuration) __builtin_trap();
        auto again = tend::parse_duration(tend::format_duration(*d));
        if (!again || *again != *d) __builtin_trap();
    }
    (void)tend::parse_byte_size(text);
    if (auto sig = tend::parse_signal(text)) {
        auto again = tend::parse_signal(tend::signal_name(*sig));
        if (!again || *again != *sig) __builtin_trap();
    }
    return 0;
}
