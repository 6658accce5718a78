#include "tend/config/config.hpp"

#include <algorithm>
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

std::vector<Diagnostic> shown(std::vector<Diagnostic> diagnostics, std::size_t total) {
    if (diagnostics.size() > kShownConfigErrors) diagnostics.resize(kShownConfigErrors);
    if (total <= diagnostics.size()) return diagnostics;
    std::size_t more = total - diagnostics.size();
    SourceLocation file{diagnostics.empty() ? std::string() : diagnostics.front().where.file, 0, 0};
    diagnostics.push_back({file, std::to_string(more) + " more error" + (more == 1 ? "" : "s") + " not shown (the first " +
                                     std::to_string(kShownConfigErrors) + " are above)"});
    return diagnostics;
}

}  // namespace

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : ConfigError(std::move(diagnostics), 0) {}

ConfigError::ConfigError(std::vector<Diagnostic> shown_first, std::size_t total)
    : ConfigError(Shown{shown(shown_first, std::max(total, shown_first.size())), std::max(total, shown_first.size())}) {}

ConfigError::ConfigError(Shown shown_list)
    : std::runtime_error(join_diagnostics(shown_list.list)), diagnostics_(std::move(shown_list.list)),
      total_(shown_list.total) {}

bool ErrorList::count_if_unkept(const SourceLocation& at) {
    if (kept_.size() < kShownConfigErrors) return false;
    auto known = file_rank_.find(at.file);
    const std::size_t rank = known == file_rank_.end() ? file_rank_.size() : known->second;
    if (std::tuple(rank, at.line, at.column, total_ + 1) < kept_.front().key()) return false;
    if (known == file_rank_.end()) file_rank_.emplace(at.file, rank);
    ++total_;
    return true;
}

void ErrorList::push_back(Diagnostic diagnostic) {
    ++total_;
    // find before emplace: emplace would build a node (and copy the name) for every error.
    auto known = file_rank_.find(diagnostic.where.file);
    if (known == file_rank_.end()) known = file_rank_.emplace(diagnostic.where.file, file_rank_.size()).first;
    const std::size_t rank = known->second;
    Kept kept{rank, diagnostic.where.line, diagnostic.where.column, total_, {}};
    auto later = [](const Kept& a, const Kept& b) { return a.key() < b.key(); };
    if (kept_.size() == kShownConfigErrors) {
        if (!later(kept, kept_.front())) return;  // after every kept one: counted only
        std::pop_heap(kept_.begin(), kept_.end(), later);
        kept_.pop_back();
    }
    kept.diagnostic = std::move(diagnostic);
    kept_.push_back(std::move(kept));
    std::push_heap(kept_.begin(), kept_.end(), later);
}

void ErrorList::append(const ErrorList& other) {
    const std::size_t dropped = other.total_ - other.kept_.size();
    for (Diagnostic& d : other.sorted()) push_back(std::move(d));
    total_ += dropped;
}

std::vector<Diagnostic> ErrorList::sorted() const {
    std::vector<const Kept*> order;
    for (const Kept& k : kept_) order.push_back(&k);
    std::sort(order.begin(), order.end(), [](const Kept* a, const Kept* b) { return a->key() < b->key(); });
    std::vector<Diagnostic> out;
    for (const Kept* k : order) out.push_back(k->diagnostic);
    return out;
}

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
