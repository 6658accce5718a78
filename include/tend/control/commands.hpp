// The control commands, in one place: tend's handler dispatches on these names
// and tendctl offers them as its subcommands with this help text.
#pragma once

#include <string_view>

namespace tend {

struct CommandInfo {
    std::string_view name;
    std::string_view help;  // tendctl's one-line description
};

inline constexpr CommandInfo kCommands[] = {
    {"status", "Show services (all, or the named ones); exit 4 if a named one is not running"},
    {"start", "Start services and wait until they are running"},
    {"stop", "Stop services (they stay down until started) and wait until they are down"},
    {"restart", "Restart services and wait until they are running again"},
    {"signal", "Send a signal to services' process groups"},
    {"pid", "Print a service's main pid, or tend's own"},
    {"wait", "Wait until services reach a state"},
    {"shutdown", "Stop every service in order and exit tend"},
    {"health", "Exit 0 if every service that should run is running (for probes)"},
    {"version", "Print tend's version"},
    {"reload", "Re-read the config and apply what changed (+ added, - removed, ~ changed, = unchanged)"},
    {"logs", "Print services' last output lines (all services interleaved, or the named ones)"},
    {"events", "Print state changes, health changes and reloads as they happen, until interrupted"},
    {"scale", "Run N instances of a replicas: set (until the next reload); surplus ones stop highest first"},
};

// The help text of a command in kCommands ("" for an unknown name).
constexpr std::string_view command_help(std::string_view name) {
    for (const auto& c : kCommands)
        if (c.name == name) return c.help;
    return {};
}

}  // namespace tend
