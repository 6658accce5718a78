#include "tend/cli/exec_config.hpp"

#include <cstdlib>

namespace tend {

Config exec_mode_config(const std::vector<std::string>& command, Duration grace) {
    Config config;
    config.file = "(command line)";
    // Quiet like tini unless asked: the command's own output is what matters.
    const char* level = std::getenv("TEND_LOG_LEVEL");
    config.settings.log_level = level && *level ? level : "warning";
    // Room for the grace, the leftover sweep and a margin; never the binding limit.
    config.settings.shutdown_timeout = grace + config.settings.kill_grace + std::chrono::seconds(5);

    ServiceSpec spec;
    const std::string& program = command.front();
    auto slash = program.rfind('/');
    spec.name = slash == std::string::npos ? program : program.substr(slash + 1);
    if (spec.name.empty()) spec.name = "cmd";
    spec.argv = command;
    spec.critical = true;
    spec.restart = RestartPolicy::never;
    spec.min_uptime = Duration(0);
    spec.max_restarts = 0;
    spec.stop_timeout = grace;
    spec.output = OutputMode::inherit;
    config.services.push_back(std::move(spec));
    return config;
}

}  // namespace tend
