// The `tend` command line: run a config, check one, or run one command (`--`).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tend/util/duration.hpp"

namespace tend {

struct TendOptions {
    enum class Mode { run, check, schema, import, exec };
    Mode mode = Mode::run;
    std::string config_path;
    std::string import_path;     // tend import FILE
    bool priority_order = false;  // tend import --priority-order
    std::string root;             // tend check/import --root DIR: an image's root file system
    Duration grace = std::chrono::seconds(10);
    std::vector<std::string> command;
    std::vector<std::string> profiles;  // --profile NAME: compose profiles to start (exported as TEND_PROFILES)
    std::map<int, int> exit_remaps;      // --remap-exit FROM:TO: CMD's status FROM becomes tend's TO
    std::map<int, int> signal_rewrites;  // --rewrite SIG:SIG: forwarded as the second; 0 drops it
};

// Returns the options, or the exit code to leave with (help, version, usage error).
std::variant<TendOptions, int> parse_tend_options(int argc, char** argv);

}  // namespace tend
