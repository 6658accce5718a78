#include "tend/supervisor/service.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

#include <spdlog/spdlog.h>

#include "tend/config/env_file.hpp"
#include "tend/config/env_file_parser.hpp"

extern char** environ;

namespace tend {
namespace {

// tend's own environment with the service's entries merged over it, sorted by
// name. Built at each spawn rather than kept: with hundreds of services a copy
// of the environment per service would be most of tend's heap. So it is built
// without a map node or a copy of its own per inherited entry: on a chain of
// starts this was a tenth of tend's instructions.
// Its env files are read here, at each start, so a one-shot may write one
// that a later service reads; they sit between the two (compose's order).
std::vector<std::string> merged_environment(const ServiceSpec& spec) {
    std::map<std::string, std::string> own;  // usually empty
    for (auto& [key, value] : read_env_files(spec.env_files, process_variable)) own[key] = std::move(value);
    for (const auto& [key, value] : spec.environment) own[key] = value;
    struct Inherited {
        std::string_view name;
        const char* entry;
    };
    std::vector<Inherited> inherited;
    for (char** entry = environ; entry && *entry; ++entry)
        if (const char* eq = std::strchr(*entry, '=')) inherited.push_back({std::string_view(*entry, eq - *entry), *entry});
    // Stable: of two entries of one name the later wins, as setenv() of each in order would leave it.
    std::stable_sort(inherited.begin(), inherited.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::vector<std::string> out;
    out.reserve(inherited.size() + own.size());
    auto next_own = own.begin();
    auto own_before = [&](std::string_view name) {
        for (; next_own != own.end() && next_own->first < name; ++next_own)
            out.push_back(next_own->first + "=" + next_own->second);
    };
    for (std::size_t i = 0; i < inherited.size(); ++i) {
        const std::string_view name = inherited[i].name;
        if (i + 1 < inherited.size() && inherited[i + 1].name == name) continue;
        own_before(name);
        if (next_own != own.end() && next_own->first == name) continue;  // the service's value, written next
        out.emplace_back(inherited[i].entry);
    }
    for (; next_own != own.end(); ++next_own) out.push_back(next_own->first + "=" + next_own->second);
    return out;
}

}  // namespace

Service::Service(const ServiceSpec& spec, std::size_t index, std::uint64_t id)
    : spec_(spec), index_(index), id_(id), machine_(ServicePolicy::from(spec_)) {}

void Service::update_spec(const ServiceSpec& spec) {
    spec_ = spec;
    machine_.set_policy(ServicePolicy::from(spec_));
    if (output) output->update(spec_);
    if (checks) checks->update_health(spec_.health);
}

void Service::replace_spec(const ServiceSpec& spec) {
    spec_ = spec;
    checks.reset();
    machine_ = ServiceMachine(ServicePolicy::from(spec_));
    // Still captured: the pipes and the kept lines stay. Else they go (drained now).
    if (output && ServiceOutput::captures(spec_)) output->update(spec_);
    else output.reset();
}

ServiceView Service::view() const {
    const auto& exit = machine_.last_exit();
    bool success = exit && machine_.policy().succeeded(*exit);
    ServiceState state = machine_.state();
    ServiceView view;
    view.state = state;
    view.exited_successfully = state == ServiceState::completed || (state == ServiceState::exited && success);
    view.started = machine_.started();
    view.healthy = !spec_.health.enabled() || (checks && checks->health().passed_once);
    view.oneshot = spec_.type == ServiceType::oneshot;
    return view;
}

SpawnRequest Service::spawn_request() const {
    SpawnRequest request;
    request.argv = spec_.argv;
    request.environment = merged_environment(spec_);
    request.working_dir = spec_.working_dir;
    request.credentials = spec_.credentials;
    request.umask = spec_.umask;
    request.limits = spec_.limits;
    request.no_new_privileges = spec_.no_new_privileges;
    request.new_session = new_session;
    request.take_terminal = take_terminal;
    request.stdin_fd = inherit_stdin ? STDIN_FILENO : -1;
    return request;
}

bool Service::set_blocked(std::string reason) {
    if (blocked_reason == reason) return false;
    if (!reason.empty()) spdlog::warn("{}: blocked: {}", name(), reason);
    else spdlog::info("{}: no longer blocked", name());
    blocked_reason = std::move(reason);
    return true;
}

void Service::set_waiting(std::string reason, TimePoint now) {
    if (waiting_for == reason) return;
    if (waiting_for.empty()) {
        waiting_since = now;
        spdlog::info("{}: waiting for {}", name(), reason);
    }
    waiting_for = std::move(reason);
}

}  // namespace tend
