#include "tend/control/command_handler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "tend/control/commands.hpp"
#include "tend/control/reload_reply.hpp"
#include "tend/control/status_report.hpp"
#include "tend/util/edit_distance.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

using nlohmann::json;

Duration seconds_arg(const json& args, double fallback) {
    double s = number_arg(args, "timeout", fallback);
    if (!(s >= 0) || s > 86400) throw ArgumentError("argument 'timeout' must be between 0 and 86400 seconds");
    return Duration(static_cast<long long>(std::llround(s * 1000)));
}

}  // namespace

CommandHandler::CommandHandler(EventLoop& loop, Supervisor& supervisor)
    : loop_(loop), supervisor_(supervisor), operations_(supervisor) {
    subscriptions_.push_back(supervisor_.add_listener([this](const Service&, const Transition&) { check_waiters(); }));
    subscriptions_.push_back(supervisor_.add_reload_done_listener([this] { check_waiters(); }));
    // Checked from the loop, not inside the reload: a reply may start another request.
    recheck_ = loop_.add_post([this] { check_waiters(); });
    subscriptions_.push_back(supervisor_.add_services_replaced_listener(
        [this] { EventLoop::schedule(recheck_.get()); }));
}

// What a waiter keeps of the services it waits on: ids looked up at each check,
// so a service a reload removed is noticed instead of read after it is freed.
std::vector<CommandHandler::Target> CommandHandler::targets(const std::vector<Service*>& services) {
    std::vector<Target> out;
    for (const Service* s : services) out.push_back({s->id(), s->name()});
    return out;
}

std::vector<Service*> CommandHandler::resolve(const std::vector<std::string>& names, bool allow_empty_as_all) {
    std::vector<Service*> out;
    if (names.empty() && !allow_empty_as_all) throw ArgumentError("name at least one service, or 'all'");
    // Every name is checked before anything is done, 'all' or not: a typo beside it is still a typo.
    for (const auto& name : names)
        if (name != "all" && !supervisor_.find(name)) throw ArgumentError(supervisor_.no_such_service(name));
    if (names.empty() || std::find(names.begin(), names.end(), "all") != names.end()) {
        for (const auto& s : supervisor_.services()) out.push_back(s.get());
        return out;
    }
    std::unordered_set<const Service*> seen;
    for (const auto& name : names) {
        Service* s = supervisor_.find(name);
        if (seen.insert(s).second) out.push_back(s);
    }
    return out;
}

void CommandHandler::handle(const Request& request, std::uint64_t client, Reply reply) {
    expired_.clear();
    bool deferred = false;
    std::string line;
    try {
        line = run(request, client, reply, deferred);
    } catch (const ArgumentError& e) {
        line = encode_error(e.what());
    } catch (const std::exception& e) {
        line = encode_error(std::string("internal error: ") + e.what());
    }
    if (!deferred) reply(line);
}

void CommandHandler::defer(std::uint64_t client, Reply reply, Duration timeout, std::string timeout_message,
                           std::function<std::optional<std::string>()> check) {
    if (auto done = check()) {
        reply(*done);
        return;
    }
    auto waiter = std::make_unique<Waiter>(Waiter{client, std::move(check), std::move(reply), std::move(timeout_message), {}});
    Waiter* raw = waiter.get();
    waiter->timer = loop_.add_timer([this, raw] {
        // The waiter owns this very timer: park it instead of destroying it
        // inside its own callback; it is freed on the next request.
        for (auto it = waiters_.begin(); it != waiters_.end(); ++it)
            if (it->get() == raw) {
                expired_.push_back(std::move(*it));
                waiters_.erase(it);
                break;
            }
        raw->reply(encode_error(raw->timeout_message));
    });
    loop_.arm(waiter->timer.get(), timeout);
    waiters_.push_back(std::move(waiter));
}

void CommandHandler::check_waiters() {
    std::vector<std::pair<Reply, std::string>> done;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (auto line = (*it)->check()) {
            done.emplace_back(std::move((*it)->reply), *line);
            it = waiters_.erase(it);
        } else {
            ++it;
        }
    }
    // Replies go out after the list is settled: a reply may close a connection,
    // which calls forget() and edits the list.
    for (auto& [reply, line] : done) reply(line);
}

void CommandHandler::forget(std::uint64_t client) {
    waiters_.remove_if([client](const auto& w) { return w->client == client; });
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
    json list = json::array();
    for (Service* s : resolve(string_list_arg(call.args, "names"), true)) list.push_back(encode_status(operations_.status(*s)));
    return encode_ok(list);
}

std::string CommandHandler::version(Call&) { return encode_ok({{"version", TEND_VERSION}}); }

std::string CommandHandler::pid(Call& call) {
    auto names = string_list_arg(call.args, "names");
    if (names.empty()) return encode_ok(getpid());
    Service* s = resolve(names, false).front();
    return encode_ok(s->pid > 0 ? json(s->pid) : json(nullptr));
}

std::string CommandHandler::health(Call&) { return encode_ok(encode_health(operations_.health())); }

std::string CommandHandler::shutdown(Call&) {
    supervisor_.request_shutdown("shutdown requested over the control socket");
    return encode_ok(json::object());
}

std::string CommandHandler::signal(Call& call) {
    auto services = resolve(string_list_arg(call.args, "names"), false);
    std::string name = string_arg(call.args, "signal", "");
    auto sig = parse_signal(name);
    if (!sig) throw ArgumentError("unknown signal '" + name + "' (expected e.g. TERM, HUP or 10)");
    json sent = json::array();
    for (Service* s : services) {
        std::string error = operations_.signal(*s, *sig);
        if (!error.empty() && services.size() == 1) throw ArgumentError(error);
        if (error.empty()) sent.push_back(s->name());
    }
    return encode_ok({{"signalled", sent}});
}

std::string CommandHandler::reload(Call& call) {
    bool dry_run = bool_arg(call.args, "dry_run", false);
    // What the stops of this reload can take, in dependency order, with the old stop settings.
    std::vector<Service*> all;
    for (const auto& s : supervisor_.services()) all.push_back(s.get());
    Duration timeout = Operations::stop_budget(all) + kReloadReadBudget;
    // Two steps: the file is read off the loop, then (unless dry_run) the
    // stops it made finish. The reply waits for both, so scripts can run
    // reloads back to back.
    struct Progress {
        std::optional<std::string> refusal;  // set when the read ended in errors or a refusal
        std::optional<json> result;          // set when it was applied
    };
    auto progress = std::make_shared<Progress>();
    supervisor_.reload(dry_run, [this, progress, dry_run, alive = std::weak_ptr<bool>(alive_)](ReloadOutcome outcome) {
        if (alive.expired()) return;
        if (!outcome.errors.empty()) {
            std::string message = "the config has errors; nothing changed:";
            for (const auto& d : outcome.errors) message += "\n" + d.to_string();
            progress->refusal = encode_error(message);
        } else if (!outcome.refused.empty()) {
            progress->refusal = encode_error("reload refused: " + outcome.refused);
        } else {
            progress->result = encode_reload(outcome, dry_run);
        }
        EventLoop::schedule(recheck_.get());
    });
    call.deferred = true;
    defer(call.client, call.reply, timeout,
          "reload timed out after " + format_duration(timeout) +
              ": the config was still being read, or services were still stopping",
          [this, progress, dry_run]() -> std::optional<std::string> {
              if (progress->refusal) return progress->refusal;
              if (!progress->result || (!dry_run && supervisor_.reloading())) return std::nullopt;
              return encode_ok(*progress->result);
          });
    return "";
}

// start, stop and restart: carried out at once, replied to once done (unless wait: false).
std::string CommandHandler::lifecycle(Call& call) {
    const std::string cmd = call.cmd;
    auto services = resolve(string_list_arg(call.args, "names"), false);
    bool wait = bool_arg(call.args, "wait", true);
    if (supervisor_.shutting_down() && cmd != "stop") throw ArgumentError("tend is shutting down");
    if (cmd == "stop") {
        auto dependants = operations_.running_dependants(services);
        if (!dependants.empty() && !bool_arg(call.args, "with_dependants", false)) {
            std::string names;
            for (const Service* d : dependants) names += (names.empty() ? "" : ", ") + d->name();
            throw ArgumentError("running services depend on it: " + names +
                                " (stop them too, first, with --with-dependants; or name them)");
        }
        services.insert(services.end(), dependants.begin(), dependants.end());
    }
    TimePoint since = supervisor_.now();
    for (Service* s : services) {
        std::string error = cmd == "start"  ? operations_.start(*s)
                            : cmd == "stop" ? operations_.stop(*s)
                                            : operations_.restart(*s);
        if (!error.empty()) throw ArgumentError(error);
    }
    json names = json::array();
    for (Service* s : services) names.push_back(s->name());
    if (!wait) return encode_ok({{"services", names}});
    Duration timeout = seconds_arg(call.args, cmd == "stop" ? 0 : 60);
    if (cmd == "stop" && timeout.count() == 0) timeout = Operations::stop_budget(services) + std::chrono::seconds(5);
    call.deferred = true;
    defer(call.client, call.reply, timeout, cmd + " timed out after " + format_duration(timeout),
          [this, waited = targets(services), since, cmd, names]() -> std::optional<std::string> {
              for (const Target& target : waited) {
                  const Service* s = supervisor_.find(target.id);
                  if (!s) return encode_error(target.name + ": removed by reload");
                  if (cmd == "stop") {
                      if (!is_down(s->state())) return std::nullopt;
                      continue;
                  }
                  // A start is done by a service already running (as s6-svc -u); restart bounces it.
                  auto outcome = operations_.start_outcome(*s, since, cmd == "restart");
                  if (!outcome) return std::nullopt;
                  if (!outcome->empty()) return encode_error(*outcome);
              }
              return encode_ok({{"services", names}});
          });
    return "";
}

std::string CommandHandler::wait(Call& call) {
    auto services = resolve(string_list_arg(call.args, "names"), false);
    Duration timeout = seconds_arg(call.args, 60);
    // A condition as depends_on has them (ready, healthy, completed...), or a state.
    std::string condition_name = string_arg(call.args, "condition", "");
    std::optional<DependencyCondition> condition;
    std::optional<ServiceState> state;
    std::string what;
    if (!condition_name.empty()) {
        if (call.args.contains("state")) throw ArgumentError("give either 'state' or 'condition', not both");
        condition = parse_dependency_condition(condition_name);
        if (!condition)
            throw ArgumentError("unknown condition '" + condition_name + "' (expected started, ready, healthy or completed)");
        what = to_string(*condition);
    } else {
        std::string state_name = string_arg(call.args, "state", "running");
        state = parse_service_state(state_name);
        if (!state) throw ArgumentError("unknown state '" + state_name + "'");
        what = "state " + state_name;
    }
    call.deferred = true;
    defer(call.client, call.reply, timeout, "wait timed out after " + format_duration(timeout) + " for " + what,
          [this, waited = targets(services), state, condition]() -> std::optional<std::string> {
              for (const Target& target : waited) {
                  const Service* s = supervisor_.find(target.id);
                  if (!s) return encode_error(target.name + ": removed by reload");
                  if (state ? s->state() != *state : !condition_met(s->view(), *condition)) return std::nullopt;
              }
              return encode_ok(json::object());
          });
    return "";
}

}  // namespace tend
