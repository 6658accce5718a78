#include "tend/cli/tend_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

namespace tend {

std::variant<TendOptions, int> parse_tend_options(int argc, char** argv) {
    TendOptions options;
    const char* env_config = std::getenv("TEND_CONFIG");
    options.config_path = env_config && *env_config ? env_config : "/etc/tend/tend.yaml";

    CLI::App app("tend: a process supervisor for containers, built to run as PID 1.\n\n"
                 "  tend [-c FILE]                  run the services of a config\n"
                 "  tend check [-c FILE]            validate a config, exit 0 or 1\n"
                 "  tend [--grace 10s] -- CMD ARGS  run one command as PID 1 (like tini)",
                 "tend");
    app.set_version_flag("--version", std::string("tend ") + TEND_VERSION);
    app.add_option("-c,--config", options.config_path, "Config file (default $TEND_CONFIG or /etc/tend/tend.yaml)");
    std::string grace;
    app.add_option("--grace", grace, "With --: how long CMD has after a stop signal before SIGKILL (default 10s)");
    app.add_option("command", options.command, "With --: the command to run and its arguments");
    auto* check = app.add_subcommand("check", "Validate a config and list every error; exit 0 if valid, 1 if not");
    check->add_option("-c,--config", options.config_path, "Config file to check");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (*check) {
        options.mode = TendOptions::Mode::check;
        return options;
    }
    if (!grace.empty()) {
        auto parsed = parse_duration(grace);
        if (!parsed) {
            std::cerr << "tend: --grace: invalid duration '" << grace << "' (expected e.g. 500ms, 10s, 2m)\n";
            return 2;
        }
        options.grace = *parsed;
    }
    if (!options.command.empty()) options.mode = TendOptions::Mode::exec;
    return options;
}

}  // namespace tend
