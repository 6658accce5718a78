// What a service or a probe's peer sends and what a config's pattern holds:
// sd_notify datagrams, HTTP status lines, and readiness patterns searched in
// lines. Each parses or is refused, never crashes, and a search ends in time
// linear in the line (libFuzzer's -timeout catches one that does not).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tend/process/notify_socket.hpp"
#include "tend/supervisor/probe_attempt.hpp"
#include "tend/util/pattern.hpp"

namespace {

void check_notify(std::string_view datagram) {
    for (const auto& [key, value] : tend::parse_notify_fields(datagram)) {
        if (key.empty() || key.find('\n') != std::string::npos || key.find('=') != std::string::npos) __builtin_trap();
        if (value.find('\n') != std::string::npos) __builtin_trap();
    }
}

// A code only from "HTTP/d.d NNN" and then a space, a line end or nothing; the code is those three digits.
void check_http_status(std::string_view reply) {
    int code = tend::http_status(reply);
    if (code == 0) return;
    auto digit = [&](std::size_t i) { return i < reply.size() && reply[i] >= '0' && reply[i] <= '9'; };
    const bool shape = reply.size() >= 12 && reply.substr(0, 5) == "HTTP/" && digit(5) && reply[6] == '.' && digit(7) &&
                       reply[8] == ' ' && digit(9) && digit(10) && digit(11);
    if (!shape || code < 100 || code > 599 || std::to_string(code) != reply.substr(9, 3)) __builtin_trap();
    const std::string_view after = reply.substr(12);
    if (!after.empty() && after[0] != ' ' && after[0] != '\n' && after.substr(0, 2) != "\r\n") __builtin_trap();
}

// The input up to its first NUL is the pattern, the rest the line it is searched in.
void check_pattern(std::string_view input) {
    auto nul = input.find('\0');
    if (nul == std::string_view::npos) return;
    std::string_view line = input.substr(nul + 1);
    try {
        tend::Pattern pattern(input.substr(0, nul));
        bool found = pattern.search(line);
        if (found != tend::Pattern(pattern).search(line)) __builtin_trap();
    } catch (const std::invalid_argument&) {
        // refused: the config reports it at its place
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    check_notify(input);
    check_http_status(input);
    check_pattern(input);
    return 0;
}
