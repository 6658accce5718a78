#include "tend/cli/status_command_line.hpp"

#include <string_view>

namespace tend {

std::optional<StatusCommandLine> read_status_command_line(int argc, const char* const* argv) {
    StatusCommandLine line;
    bool status = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::optional<std::string_view> socket;
        if (arg == "-s" || arg == "--socket") {
            if (i + 1 == argc || argv[i + 1][0] == '-') return std::nullopt;
            socket = argv[++i];
        } else if (arg.starts_with("--socket=")) {
            socket = arg.substr(9);
        }
        if (socket) {
            if (line.socket) return std::nullopt;  // given twice: CLI11 says what it makes of that
            line.socket = std::string(*socket);
        } else if (!status) {
            if (arg != "status") return std::nullopt;
            status = true;
        } else {
            if (arg.empty() || arg[0] == '-' || arg == "status") return std::nullopt;
            line.names.emplace_back(arg);
        }
    }
    if (!status) return std::nullopt;
    return line;
}

}  // namespace tend
