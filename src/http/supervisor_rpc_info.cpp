// What supervisord reports of processes, from Operations' status: names and
// groups, state codes, process info and config info structs, and the output
// tend keeps standing in for supervisord's log files.
#include "tend/http/supervisor_rpc.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// As Python prints a timedelta: "0:00:05", "2 days, 3:04:05".
std::string uptime_text(long seconds) {
    long days = seconds / 86400;
    seconds %= 86400;
    char text[64];
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", seconds / 3600, seconds / 60 % 60, seconds % 60);
    if (days == 0) return text;
    return std::to_string(days) + (days == 1 ? " day, " : " days, ") + text;
}

std::string description(ProcessCode code, const ServiceStatus& status, bool started, const std::string& spawnerr) {
    switch (code) {
        case ProcessCode::running:
            return "pid " + std::to_string(status.pid.value_or(0)) + ", uptime " +
                   uptime_text(static_cast<long>(status.uptime_seconds.value_or(0)));
        case ProcessCode::fatal:
        case ProcessCode::backoff:
            return spawnerr.empty() ? "unknown error (try \"tail " + status.name + "\")" : spawnerr;
        case ProcessCode::stopped:
        case ProcessCode::exited:
            if (!started) return "Not started";
            return status.last_exit ? status.last_exit->describe() : "";
        case ProcessCode::starting:
        case ProcessCode::stopping:
        case ProcessCode::unknown: break;
    }
    return status.waiting;
}

}  // namespace

ProcessCode process_code(std::string_view state) {
    if (state == "stopped") return ProcessCode::stopped;
    if (state == "starting") return ProcessCode::starting;
    if (state == "running" || state == "unhealthy") return ProcessCode::running;
    if (state == "backoff" || state == "blocked") return ProcessCode::backoff;
    if (state == "stopping") return ProcessCode::stopping;
    if (state == "exited" || state == "completed" || state == "failed") return ProcessCode::exited;
    if (state == "fatal") return ProcessCode::fatal;
    return ProcessCode::unknown;
}

const char* to_string(ProcessCode code) {
    switch (code) {
        case ProcessCode::stopped: return "STOPPED";
        case ProcessCode::starting: return "STARTING";
        case ProcessCode::running: return "RUNNING";
        case ProcessCode::backoff: return "BACKOFF";
        case ProcessCode::stopping: return "STOPPING";
        case ProcessCode::exited: return "EXITED";
        case ProcessCode::fatal: return "FATAL";
        case ProcessCode::unknown: break;
    }
    return "UNKNOWN";
}

std::string SupervisorRpc::group_of(const Service& service) {
    return service.spec().replica_of.empty() ? service.name() : service.spec().replica_of;
}

std::vector<Service*> SupervisorRpc::all_services() const { return operations_.lookup({}, true); }

SupervisorRpc::Target SupervisorRpc::resolve(const std::string& name) const {
    auto colon = name.find(':');
    std::string group = name.substr(0, colon);
    std::string process = colon == std::string::npos ? "" : name.substr(colon + 1);
    Target target;
    try {
        if (group.empty() || group == "all") throw RpcError(Fault::bad_name, name);
        if (process.empty() || process == "*") {
            target.services = operations_.lookup({group}, false);
            target.whole_group = colon != std::string::npos || target.services.size() != 1 ||
                                 target.services[0]->name() != group;
        } else {
            target.services = operations_.lookup({process}, false);
        }
    } catch (const Refusal&) {
        throw RpcError(Fault::bad_name, name);
    }
    for (Service* s : target.services)
        if (group_of(*s) != group && (colon != std::string::npos || s->name() != group)) throw RpcError(Fault::bad_name, name);
    if (target.services.empty()) throw RpcError(Fault::bad_name, name);
    target.group = group_of(*target.services[0]);
    return target;
}

XmlRpcValue SupervisorRpc::process_info(const Service& service) const {
    ServiceStatus status = operations_.status(service);
    ProcessCode code = process_code(status.state);
    double now = wall_now();
    bool started = service.started_at != TimePoint{};
    double start = 0;
    if (status.uptime_seconds) start = now - *status.uptime_seconds;
    else if (started) start = now - std::chrono::duration<double>(std::chrono::steady_clock::now() - service.started_at).count();
    std::string spawnerr = !status.fatal_reason.empty() ? status.fatal_reason : status.blocked_reason;
    std::string log = service.spec().log_file;
    XmlRpcStruct info{
        {"name", service.name()},
        {"group", group_of(service)},
        {"start", static_cast<std::int64_t>(start)},
        {"stop", 0},
        {"now", static_cast<std::int64_t>(now)},
        {"state", static_cast<int>(code)},
        {"statename", to_string(code)},
        {"spawnerr", spawnerr},
        {"exitstatus", status.last_exit ? status.last_exit->shell_code() : 0},
        {"logfile", log},
        {"stdout_logfile", log},
        {"stderr_logfile", log},
        {"pid", static_cast<int>(status.pid.value_or(0))},
        {"description", description(code, status, started, spawnerr)},
    };
    return info;
}

Subscription SupervisorRpc::one_process_info(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    const std::string& name = string_param(params, 0);
    Target target = resolve(name);
    if (target.whole_group) throw RpcError(Fault::bad_name, name);
    reply(process_info(*target.services[0]));
    return {};
}

Subscription SupervisorRpc::all_process_info(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    std::vector<Service*> services = all_services();
    // supervisord lists them by group, then name.
    std::stable_sort(services.begin(), services.end(), [](const Service* a, const Service* b) {
        return std::pair(group_of(*a), a->name()) < std::pair(group_of(*b), b->name());
    });
    XmlRpcArray out;
    for (const Service* s : services) out.push_back(process_info(*s));
    reply(XmlRpcValue(std::move(out)));
    return {};
}

Subscription SupervisorRpc::all_config_info(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    XmlRpcArray out;
    for (const Service* s : all_services()) {
        const ServiceSpec& spec = s->spec();
        std::string command;
        for (const std::string& word : spec.argv) command += (command.empty() ? "" : " ") + word;
        auto seconds = [](Duration d) { return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(d).count()); };
        out.push_back(XmlRpcStruct{
            {"name", s->name()}, {"group", group_of(*s)}, {"inuse", true}, {"autostart", spec.autostart},
            {"command", command}, {"directory", spec.working_dir.empty() ? "none" : spec.working_dir},
            {"group_prio", 999}, {"process_prio", 999}, {"startsecs", seconds(spec.min_uptime)},
            {"stopsignal", spec.stop_signal}, {"stopwaitsecs", seconds(spec.stop_timeout)},
            {"killasgroup", true}, {"stdout_logfile", spec.log_file.empty() ? "none" : spec.log_file},
            {"redirect_stderr", true},
        });
    }
    std::stable_sort(out.begin(), out.end(), [](const XmlRpcValue& a, const XmlRpcValue& b) {
        return *a.member("name")->get<std::string>() < *b.member("name")->get<std::string>();
    });
    reply(XmlRpcValue(std::move(out)));
    return {};
}

}  // namespace tend
