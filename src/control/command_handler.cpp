#include "tend/control/command_handler.hpp"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include "tend/control/commands.hpp"
#include "tend/control/reload_reply.hpp"
#include "tend/control/status_report.hpp"
#include "tend/util/edit_distance.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

using nlohmann::json;

const double default_timeout_seconds =
    std::chrono::duration<double>(Operations::kDefaultWaitTimeout).count();

Duration seconds_arg(const json& args, double fallback) {
    double s = number_arg(args, "timeout", fallback);
    if (!(s >= 0) || s > 86400) throw ArgumentError("argument 'timeout' must be between 0 and 86400 seconds");
    return Duration(static_cast<long long>(std::llround(s * 1000)));
}

json names_of(const std::vector<Service*>& services) {
    json names = json::array();
    for (const Service* s : services) names.push_back(s->name());
    return names;
}

}  // namespace

void CommandHandler::handle(const Request& request, std::uint64_t client, Reply reply) {
    operations_.count_request(Front::control);
    bool deferred = false;
    std::string line;
    try {
        line = run(request, client, reply, deferred);
    } catch (const ArgumentError& e) {
        line = encode_error(e.what());
    } catch (const Refusal& e) {
        line = encode_error(e.what());
    } catch (const std::exception& e) {
        line = encode_error(std::string("internal error: ") + e.what());
    }
    if (!deferred) reply(line);
}

void CommandHandler::reply_later(Call& call, const std::function<Subscription(std::function<void(std::string)>)>& start) {
    call.deferred = true;
    std::uint64_t request = next_request_++;
    Subscription wait;
    try {
        wait = start([this, request, reply = call.reply](std::string line) {
            pending_.erase(request);
            reply(line);
        });
    } catch (...) {
        call.deferred = false;  // refused before anything was sent: handle() replies with the error
        throw;
    }
    if (wait) pending_.emplace(request, Pending{call.client, std::move(wait)});  // else it replied at once
}

void CommandHandler::forget(std::uint64_t client) {
    std::erase_if(pending_, [client](const auto& entry) { return entry.second.client == client; });
    followers_.erase(client);  // its Subscription ends the follow
}

// name -> the member that parses its arguments, runs it and encodes the reply.
const std::vector<std::pair<std::string_view, CommandHandler::Method>>& CommandHandler::table() {
    static const std::vector<std::pair<std::string_view, Method>> commands = {
        {"status", &CommandHandler::status},   {"version", &CommandHandler::version},
        {"pid", &CommandHandler::pid},         {"health", &CommandHandler::health},
        {"shutdown", &CommandHandler::shutdown}, {"signal", &CommandHandler::signal},
        {"reload", &CommandHandler::reload},   {"logs", &CommandHandler::logs},
        {"start", &CommandHandler::lifecycle}, {"stop", &CommandHandler::lifecycle},
        {"restart", &CommandHandler::lifecycle}, {"wait", &CommandHandler::wait},
        {"events", &CommandHandler::events},   {"scale", &CommandHandler::scale},
    };
    return commands;
}

std::vector<std::string_view> CommandHandler::handled_commands() {
    std::vector<std::string_view> names;
    for (const auto& entry : table()) names.push_back(entry.first);
    return names;
}

std::string CommandHandler::run(const Request& request, std::uint64_t client, Reply& reply, bool& deferred) {
    Call call{request.cmd, request.args, client, reply, deferred};
    for (const auto& [name, method] : table())
        if (name == request.cmd) return (this->*method)(call);
    std::vector<std::string> commands;
    for (const auto& c : kCommands) commands.emplace_back(c.name);
    auto match = closest_match(request.cmd, commands);
    throw ArgumentError("unknown command '" + request.cmd + "'" + (match ? " (did you mean '" + *match + "'?)" : ""));
}

std::string CommandHandler::status(Call& call) {
    const auto names = string_list_arg(call.args, "names");
    const auto services = operations_.lookup(names, true);
    std::vector<ServiceStatus> list;
    list.reserve(services.size());
    for (Service* s : services) list.push_back(operations_.status(*s));
    for (ServiceStatus& set : operations_.empty_sets(names)) list.push_back(std::move(set));
    return encode_status_reply(list);
}

std::string CommandHandler::version(Call&) { return encode_ok({{"version", TEND_VERSION}}); }

std::string CommandHandler::pid(Call& call) {
    auto names = string_list_arg(call.args, "names");
    if (names.empty()) return encode_ok(getpid());
    auto pid = operations_.main_pid(*operations_.lookup(names, false).front());
    return encode_ok(pid ? json(*pid) : json(nullptr));
}

std::string CommandHandler::health(Call&) { return encode_ok(encode_health(operations_.health())); }

std::string CommandHandler::shutdown(Call&) {
    operations_.shutdown("shutdown requested over the control socket");
    return encode_ok(json::object());
}

std::string CommandHandler::signal(Call& call) {
    auto services = operations_.lookup(string_list_arg(call.args, "names"), false);
    std::string name = string_arg(call.args, "signal", "");
    auto sig = parse_signal(name);
    if (!sig) throw ArgumentError("unknown signal '" + name + "' (expected e.g. TERM, HUP or 10)");
    return encode_ok({{"signalled", names_of(operations_.signal(services, *sig))}});
}

std::string CommandHandler::reload(Call& call) {
    bool dry_run = bool_arg(call.args, "dry_run", false);
    reply_later(call, [&](auto settled) {
        return operations_.reload(dry_run, [dry_run, settled](const Outcome& outcome, const ReloadOutcome& result) {
            settled(outcome.ok() ? encode_ok(encode_reload(result, dry_run)) : encode_error(outcome.error));
        });
    });
    return "";
}

// start, stop and restart: carried out at once, replied to once done (unless wait: false).
std::string CommandHandler::lifecycle(Call& call) {
    const std::string cmd = call.cmd;
    auto services = operations_.lookup(string_list_arg(call.args, "names"), false);
    bool wait = bool_arg(call.args, "wait", true);
    LifecycleRequest request = cmd == "start"  ? operations_.start(std::move(services))
                               : cmd == "stop" ? operations_.stop(std::move(services), bool_arg(call.args, "with_dependants", false))
                                               : operations_.restart(std::move(services));
    json names = names_of(request.services);
    if (!wait) return encode_ok({{"services", names}});
    // A stop's default (0) is what its stops can take.
    Duration timeout = seconds_arg(call.args, cmd == "stop" ? 0 : default_timeout_seconds);
    reply_later(call, [&](auto settled) {
        return operations_.await(request, timeout, [names, settled](const Outcome& outcome) {
            settled(outcome.ok() ? encode_ok({{"services", names}}) : encode_error(outcome.error));
        });
    });
    return "";
}

// scale NAME COUNT: replied to once the surplus instances are down.
std::string CommandHandler::scale(Call& call) {
    const std::string name = string_arg(call.args, "name", "");
    if (name.empty()) throw ArgumentError("argument 'name' must name a replicas: set");
    auto count = call.args.find("count");
    if (count == call.args.end() || !count->is_number_integer())
        throw ArgumentError("argument 'count' must be a whole number of instances");
    // Past what a long long holds is past any maximum: say it as the largest one.
    const long long n = count->is_number_unsigned() && count->get<std::uint64_t>() > std::uint64_t(LLONG_MAX)
                            ? LLONG_MAX
                            : count->get<long long>();
    reply_later(call, [&](auto settled) {
        return operations_.scale(name, n, [settled](const Outcome& outcome, const ScaleResult& result) {
            settled(outcome.ok() ? encode_ok({{"name", result.name}, {"from", result.from}, {"to", result.to}})
                                 : encode_error(outcome.error));
        });
    });
    return "";
}

std::string CommandHandler::wait(Call& call) {
    auto services = operations_.lookup(string_list_arg(call.args, "names"), false);
    Duration timeout = seconds_arg(call.args, default_timeout_seconds);
    // A condition as depends_on has them (ready, healthy, completed...), or a state.
    std::string condition_name = string_arg(call.args, "condition", "");
    WaitTarget target;
    if (!condition_name.empty()) {
        if (call.args.contains("state")) throw ArgumentError("give either 'state' or 'condition', not both");
        auto condition = parse_dependency_condition(condition_name);
        if (!condition)
            throw ArgumentError("unknown condition '" + condition_name + "' (expected started, ready, healthy or completed)");
        target = *condition;
    } else {
        std::string state_name = string_arg(call.args, "state", "running");
        auto state = parse_service_state(state_name);
        if (!state) throw ArgumentError("unknown state '" + state_name + "'");
        target = *state;
    }
    reply_later(call, [&](auto settled) {
        return operations_.wait_for(services, target, timeout, [settled](const Outcome& outcome) {
            settled(outcome.ok() ? encode_ok(json::object()) : encode_error(outcome.error));
        });
    });
    return "";
}

}  // namespace tend
