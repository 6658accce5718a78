// `tendctl [-s PATH] status [NAME...]`, the command people and scripts run
// most, read without CLI11: setting up CLI11's parser with every subcommand
// and option was a sixth of the instructions `tendctl status` ran. Any other
// shape (another option, --json, --help, -sPATH, a name that starts with '-')
// is left to CLI11, so its help and its errors stay the only ones.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tend {

struct StatusCommandLine {
    std::optional<std::string> socket;  // -s PATH, --socket PATH or --socket=PATH
    std::vector<std::string> names;
};

std::optional<StatusCommandLine> read_status_command_line(int argc, const char* const* argv);

}  // namespace tend
