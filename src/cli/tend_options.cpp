#include "tend/cli/tend_options.hpp"

#include <signal.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include <CLI/CLI.hpp>

#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

// "A:B" with each side parsed by `parse`.
template <class Parse>
std::optional<std::pair<int, int>> parse_pair(std::string_view text, Parse parse) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto first = parse(text.substr(0, colon));
    auto second = parse(text.substr(colon + 1));
    if (!first || !second) return std::nullopt;
    return std::pair{*first, *second};
}

// --grace, --remap-exit FROM:TO and --rewrite SIG:SIG into `options`; a usage error's exit code.
std::optional<int> parse_exec_options(const std::string& grace, const std::vector<std::string>& remaps,
                                      const std::vector<std::string>& rewrites, TendOptions& options) {
    if (!grace.empty()) {
        auto parsed = parse_duration(grace);
        if (!parsed) {
            std::cerr << "tend: --grace: invalid duration '" << grace << "' (expected e.g. 500ms, 10s, 2m)\n";
            return 2;
        }
        options.grace = *parsed;
    }
    for (const auto& remap : remaps) {
        auto pair = parse_pair(remap, [](std::string_view text) -> std::optional<int> {
            int code = -1;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
            if (ec != std::errc() || end != text.data() + text.size() || code < 0 || code > 255) return std::nullopt;
            return code;
        });
        if (!pair) {
            std::cerr << "tend: --remap-exit: expected FROM:TO with exit codes 0-255, got '" << remap << "'\n";
            return 2;
        }
        options.exit_remaps[pair->first] = pair->second;
    }
    for (const auto& rewrite : rewrites) {
        auto pair = parse_pair(rewrite, [](std::string_view text) { return text == "0" ? std::optional<int>(0) : parse_signal(text); });
        if (!pair || pair->first == 0 || pair->first == SIGKILL || pair->first == SIGSTOP || pair->first == SIGCHLD) {
            std::cerr << "tend: --rewrite: expected SIG:SIG (e.g. TERM:QUIT, or USR1:0 to drop; not KILL, STOP or CHLD), got '"
                      << rewrite << "'\n";
            return 2;
        }
        options.signal_rewrites[pair->first] = pair->second;
    }
    return std::nullopt;
}

constexpr const char* kProfileHelp =
    "Start the services of this compose profile too (repeatable; default $TEND_PROFILES, comma separated)";

// The loader reads the active profiles from TEND_PROFILES at every load
// (reloads too), and the services may want to know them: --profile sets it.
void export_profiles(const std::vector<std::string>& profiles) {
    if (profiles.empty()) return;
    std::string joined;
    for (const auto& p : profiles) joined += (joined.empty() ? "" : ",") + p;
    ::setenv("TEND_PROFILES", joined.c_str(), 1);
}

// check, schema and import: each sets the mode when given.
std::vector<std::pair<CLI::App*, TendOptions::Mode>> add_subcommands(CLI::App& app, TendOptions& options) {
    auto* check = app.add_subcommand("check", "Validate a config and list every error; exit 0 if valid, 1 if not");
    check->add_option("-c,--config", options.config_path, "Config file to check");
    check->add_option("--profile", options.profiles, kProfileHelp)->expected(1)->take_all();
    check->add_option("--root", options.root,
                      "An image's root file system: users, groups and includes are looked up under it "
                      "(and an absolute -c path too)");
    auto* schema = app.add_subcommand("schema", "Print the JSON Schema of tend.yaml, for editors' YAML language servers");
    auto* import = app.add_subcommand("import", "Print a tend.yaml equivalent to a supervisord config");
    import->add_option("file", options.import_path, "supervisord.conf to translate")->required();
    import->add_flag("--priority-order", options.priority_order,
                     "Make each priority level depend on the one below (priority is no dependency in supervisord)");
    import->add_option("--root", options.root,
                       "An image's root file system: an absolute file and [include] globs are read under it");
    return {{check, TendOptions::Mode::check}, {schema, TendOptions::Mode::schema}, {import, TendOptions::Mode::import}};
}

}  // namespace

std::variant<TendOptions, int> parse_tend_options(int argc, char** argv) {
    TendOptions options;
    const char* env_config = std::getenv("TEND_CONFIG");
    options.config_path = env_config && *env_config ? env_config : "/etc/tend/tend.yaml";

    CLI::App app("tend: a process supervisor for containers, built to run as PID 1.\n\n"
                 "  tend [-c FILE]                  run the services of a config\n"
                 "  tend check [-c FILE]            validate a config, exit 0 or 1\n"
                 "  tend schema                     print the config's JSON Schema (for editors)\n"
                 "  tend import supervisord.conf    print an equivalent tend.yaml\n"
                 "  tend [--grace 10s] [--remap-exit 143:0] [--rewrite TERM:QUIT] -- CMD ARGS\n"
                 "                                  run one command as PID 1 (like tini, dumb-init)",
                 "tend");
    app.set_version_flag("--version", std::string("tend ") + TEND_VERSION);
    app.add_option("-c,--config", options.config_path, "Config file (default $TEND_CONFIG or /etc/tend/tend.yaml)");
    app.add_option("--profile", options.profiles, kProfileHelp)->expected(1)->take_all();
    std::string grace;
    app.add_option("--grace", grace, "With --: how long CMD has after a stop signal before SIGKILL (default 10s)");
    std::vector<std::string> remaps, rewrites;
    app.add_option("--remap-exit", remaps, "With --: FROM:TO, exit with TO when CMD exits with FROM (e.g. 143:0); repeatable")
        ->expected(1)
        ->take_all();
    app.add_option("--rewrite", rewrites,
                   "With --: SIG:SIG, forward the first signal as the second (e.g. TERM:QUIT); SIG:0 drops it; repeatable")
        ->expected(1)
        ->take_all();
    const auto subcommands = add_subcommands(app, options);
    bool has_separator = false;
    try {
        // Everything after the first `--` is the command, untouched: its own
        // options (`sh -c ...`) must never be read as tend's.
        char** separator = std::find_if(argv + 1, argv + argc, [](const char* a) { return std::string_view(a) == "--"; });
        has_separator = separator != argv + argc;
        if (has_separator) options.command.assign(separator + 1, argv + argc);
        app.parse(static_cast<int>(separator - argv), argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    export_profiles(options.profiles);
    for (const auto& [subcommand, mode] : subcommands)
        if (*subcommand) {
            options.mode = mode;
            return options;
        }
    if (has_separator && options.command.empty()) {
        std::cerr << "tend: -- needs a command to run: tend [--grace 10s] -- CMD ARGS...\n";
        return 2;
    }
    if (options.command.empty() && (!grace.empty() || !remaps.empty() || !rewrites.empty())) {
        std::cerr << "tend: --grace, --remap-exit and --rewrite apply to a command: tend ... -- CMD ARGS...\n";
        return 2;
    }
    if (auto code = parse_exec_options(grace, remaps, rewrites, options)) return *code;
    if (!options.command.empty()) options.mode = TendOptions::Mode::exec;
    return options;
}

}  // namespace tend
