// A control request line in: a request or an error message, and the argument
// helpers either return a value or throw ArgumentError; nothing else. The same
// bytes as a `status` reply read by tendctl: its rows and their table, or
// std::runtime_error; nothing else. And the reply's JSON scanner accepts
// exactly what nlohmann::json accepts (but for a NUL byte, which nlohmann
// takes as the end of the text).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tend/cli/status_table.hpp"
#include "tend/control/protocol.hpp"
#include "tend/util/json_scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    if (line.find('\0') == std::string_view::npos) {
        tend::JsonEvents events;  // takes every event
        if (tend::scan_json(line, events) != nlohmann::json::accept(line)) std::abort();
    }
    try {
        tend::StatusReply reply = tend::read_status_reply(line);
        (void)tend::format_status_table(reply.rows, size % 2 == 0);
    } catch (const std::runtime_error&) {
    }
    auto parsed = tend::parse_request(line);
    auto* request = std::get_if<tend::Request>(&parsed);
    if (!request) return 0;
    const auto& args = request->args;
    try { (void)tend::string_list_arg(args, "names"); } catch (const tend::ArgumentError&) {}
    try { (void)tend::string_arg(args, "signal", ""); } catch (const tend::ArgumentError&) {}
    try { (void)tend::number_arg(args, "timeout", 60); } catch (const tend::ArgumentError&) {}
    try { (void)tend::bool_arg(args, "wait", true); } catch (const tend::ArgumentError&) {}
    (void)tend::encode_ok(args);
    return 0;
}
