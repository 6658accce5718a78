#include "tend/config/config.hpp"

#include <filesystem>

#include "tend/config/config_error.hpp"

#include <cstdlib>

namespace tend {

std::string default_control_socket() {
    const char* env = std::getenv("TEND_SOCKET");
    if (!env || !*env) return "/run/tend.sock";
    if (*env == '/') return env;
    // Relative to the current directory, the same for tend and for tendctl run beside it.
    std::error_code ec;
    auto absolute = std::filesystem::absolute(env, ec);
    return ec ? std::string(env) : absolute.lexically_normal().string();
}

std::string SourceLocation::to_string() const {
    if (line == 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const { return where.to_string() + ": " + message; }

static std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += (out.empty() ? "" : "\n") + d.to_string();
    return out;
}

namespace {

std::vector<Diagnostic> shown(std::vector<Diagnostic> diagnostics) {
    if (diagnostics.size() <= kShownConfigErrors) return diagnostics;
    std::size_t more = diagnostics.size() - kShownConfigErrors;
    SourceLocation file{diagnostics.front().where.file, 0, 0};
    diagnostics.resize(kShownConfigErrors);
    diagnostics.push_back({file, std::to_string(more) + " more error" + (more == 1 ? "" : "s") + " not shown (the first " +
                                     std::to_string(kShownConfigErrors) + " are above)"});
    return diagnostics;
}

}  // namespace

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(shown(diagnostics))), diagnostics_(shown(diagnostics)),
      total_(diagnostics.size()) {}

const ServiceSpec* Config::find(const std::string& name) const {
    for (const auto& s : services)
        if (s.name == name) return &s;
    return nullptr;
}

std::optional<DependencyCondition> parse_dependency_condition(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kDependencyConditionNames); ++i)
        if (name == kDependencyConditionNames[i]) return static_cast<DependencyCondition>(i);
    if (name == "service_started") return DependencyCondition::started;
    if (name == "service_healthy") return DependencyCondition::healthy;
    if (name == "service_completed_successfully") return DependencyCondition::completed;
    return std::nullopt;
}

const char* to_string(DependencyCondition condition) {
    return kDependencyConditionNames[static_cast<std::size_t>(condition)].c_str();
}

const char* to_string(RestartPolicy policy) { return kRestartPolicyNames[static_cast<std::size_t>(policy)].c_str(); }

const char* to_string(KillMode mode) { return kKillModeNames[static_cast<std::size_t>(mode)].c_str(); }

const char* to_string(OutputMode mode) { return kOutputModeNames[static_cast<std::size_t>(mode)].c_str(); }

}  // namespace tend
