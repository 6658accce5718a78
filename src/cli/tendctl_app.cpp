#include "tend/cli/tendctl_app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

#include "tend/cli/pid_view.hpp"
#include "tend/cli/status_command_line.hpp"
#include "tend/cli/status_table.hpp"
#include "tend/config/config.hpp"
#include "tend/control/client.hpp"
#include "tend/control/commands.hpp"
#include "tend/output/line_format.hpp"
#include "tend/output/line_splitter.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

using nlohmann::json;

struct Invocation {
    std::string socket;
    bool json_output = false;
    std::vector<std::string> names;
    std::string signal;
    std::string state = "running";
    double timeout = -1;
    bool no_wait = false;
    bool with_dependants = false;
    std::string condition;  // wait --for
    bool dry_run = false;
    long lines = -1;
    bool follow = false;
    bool clear = false;  // logs --clear
    std::string set;    // scale's
    std::string count;  // scale's, checked by tend
};

int fail(const std::string& message, int code = kFailed) {
    std::cerr << "tendctl: " << message << "\n";
    return code;
}

int print_result(const Invocation& inv, const json& result, const std::string& human) {
    if (inv.json_output) std::cout << result.dump(2) << "\n";
    else if (!human.empty()) std::cout << human;
    return kOk;
}

// One service named: its lines as it wrote them, the pieces of a line cut at
// 64 KiB joined again. Several or all: each piece prefixed with its service,
// as tend prints them on its stdout. --json: the objects as tend sent them.
class LogPrinter {
public:
    explicit LogPrinter(const Invocation& inv) : inv_(inv) {}
    ~LogPrinter() { end_line(); }

    void print(const json& line) {
        if (inv_.json_output) {
            std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
            return;
        }
        std::string text = line.value("line", std::string());
        bool continued = line.value("continued", false);
        if (inv_.names.size() == 1) {
            if (!continued) end_line();
            std::cout << text;
            open_line_ = true;
            // Only a piece cut at the limit is continued by the next one; any
            // other line ends now, so followers see whole lines at once.
            if (text.size() != LineSplitter::kDefaultMaxLine) end_line();
            return;
        }
        std::string service = line.value("service", std::string());
        LineView view{0, {}, service, line.value("stream", "") == "stderr" ? OutputStream::err : OutputStream::out,
                      continued, text};
        std::string out;
        format_line(out, view, LogFormat::text);
        std::cout << out;
    }

private:
    void end_line() {
        if (open_line_) std::cout << "\n";
        open_line_ = false;
    }

    const Invocation& inv_;
    bool open_line_ = false;
};

int print_logs(const Invocation& inv, const json& result, ControlClient& client) {
    LogPrinter printer(inv);
    for (const auto& line : result["lines"]) printer.print(line);
    std::cout.flush();
    if (!inv.follow) return kOk;
    try {
        while (auto message = client.next_message()) {
            if (message->contains("line")) printer.print((*message)["line"]);
            std::cout.flush();
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return kOk;  // tend went away: the stream is over
}

// "23:50:01 web: starting -> running (ready)", or the JSON object with --json.
std::string event_text(const json& e) {
    auto text = [&](const char* key) { return e[key].is_string() ? e[key].get<std::string>() : std::string(); };
    std::string time = text("time");
    std::string out = (time.size() >= 19 ? time.substr(11, 8) : time) + " ";
    const std::string kind = text("kind");
    if (kind == "reload") return out + "reload: " + text("reason") + "\n";
    out += text("service") + ": ";
    if (kind == "health") out += "health ";
    out += (text("from").empty() ? "none" : text("from")) + " -> " + (text("to").empty() ? "none" : text("to"));
    if (!text("reason").empty()) out += " (" + text("reason") + ")";
    return out + "\n";
}

int print_events(const Invocation& inv, ControlClient& client) {
    try {
        while (auto message = client.next_message()) {
            if (!message->contains("event")) continue;
            const json& e = (*message)["event"];
            if (inv.json_output) std::cout << e.dump() << "\n";
            else std::cout << event_text(e);
            std::cout.flush();
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return kOk;  // tend went away: the stream is over
}

// Reads the command line into `inv` and `cmd`; an exit code when there is nothing to send.
std::optional<int> parse_invocation(int argc, char** argv, Invocation& inv, std::string& cmd) {
    CLI::App app("tendctl: see and steer a running tend.", "tendctl");
    app.set_version_flag("--version", std::string("tendctl ") + TEND_VERSION);
    app.add_option("-s,--socket", inv.socket, "Control socket (default $TEND_SOCKET or /run/tend.sock)");
    app.add_flag("--json", inv.json_output, "Print the raw JSON result, for scripts");
    app.require_subcommand(1);
    // -s and --json where people type them: before or after the command.
    app.fallthrough();

    auto* status = app.add_subcommand("status", std::string(command_help("status")));
    status->add_option("names", inv.names, "Service names");
    auto add_action = [&](const char* name) {
        auto* sub = app.add_subcommand(name, std::string(command_help(name)));
        sub->add_option("names", inv.names, "Service names, or 'all'")->required();
        sub->add_flag("--no-wait", inv.no_wait, "Return at once instead of when the action has finished");
        sub->add_option("--timeout", inv.timeout, "Seconds to wait for the action (default: start/restart 60, stop: stop_timeout + 5)");
        return sub;
    };
    add_action("start");
    add_action("stop")->add_flag("--with-dependants", inv.with_dependants,
                                 "Also stop the running services that depend on them, first");
    add_action("restart");
    auto* signal = app.add_subcommand("signal", std::string(command_help("signal")));
    signal->add_option("signal", inv.signal, "Signal: TERM, SIGHUP, 10 ...")->required();
    signal->add_option("names", inv.names, "Service names, or 'all'")->required();
    auto* pid = app.add_subcommand("pid", std::string(command_help("pid")));
    pid->add_option("name", inv.names, "Service name")->expected(0, 1);
    auto* wait = app.add_subcommand("wait", std::string(command_help("wait")));
    wait->add_option("names", inv.names, "Service names, or 'all'")->required();
    auto* wait_state = wait->add_option("--state", inv.state, "State to wait for (default running)");
    wait->add_option("--for", inv.condition, "Or a condition, as depends_on has them: started, ready, healthy, completed")
        ->excludes(wait_state);
    wait->add_option("--timeout", inv.timeout, "Seconds to wait (default 60)");
    app.add_subcommand("shutdown", std::string(command_help("shutdown")));
    app.add_subcommand("health", std::string(command_help("health")));
    app.add_subcommand("version", std::string(command_help("version")));
    auto* reload = app.add_subcommand("reload", std::string(command_help("reload")));
    reload->add_flag("--dry-run", inv.dry_run, "Print the plan without changing anything");
    auto* logs = app.add_subcommand("logs", std::string(command_help("logs")));
    logs->add_option("names", inv.names, "Service names (default: all, each line prefixed with its service)");
    logs->add_option("-n,--lines", inv.lines, "Only the last N lines")->check(CLI::NonNegativeNumber);
    auto* follow = logs->add_flag("-f,--follow", inv.follow, "Keep printing new lines until interrupted");
    logs->add_flag("--clear", inv.clear, "Forget the kept lines instead of printing them")->excludes(follow);
    app.add_subcommand("events", std::string(command_help("events")));
    auto* scale = app.add_subcommand("scale", std::string(command_help("scale")));
    scale->add_option("name", inv.set, "A replicas: set's name")->required();
    scale->add_option("count", inv.count, "How many instances it runs from now on")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }

    cmd = app.get_subcommands().front()->get_name();
    return std::nullopt;
}

// scale's count as a JSON integer when it is one (a longer run of digits as the
// largest), else as written, for tend to refuse with its own words.
json count_value(const std::string& text) {
    long long n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (end != text.data() + text.size() || text.empty()) return text;
    if (ec == std::errc::result_out_of_range) return text.starts_with('-') ? LLONG_MIN : LLONG_MAX;
    return n;
}

// The request's arguments, from the options that apply to `cmd`.
json request_args(const std::string& cmd, Invocation& inv) {
    json args = json::object();
    if (!inv.names.empty()) args["names"] = inv.names;
    if (cmd == "start" || cmd == "stop" || cmd == "restart") {
        args["wait"] = !inv.no_wait;
        if (inv.timeout >= 0) args["timeout"] = inv.timeout;
        if (cmd == "stop" && inv.with_dependants) args["with_dependants"] = true;
    } else if (cmd == "signal") {
        // `tendctl signal nginx USR1` (kill's order turned round) means the same.
        if (!parse_signal(inv.signal) && inv.names.size() == 1 && parse_signal(inv.names.front()))
            std::swap(inv.signal, inv.names.front());
        args["names"] = inv.names;
        args["signal"] = inv.signal;
    } else if (cmd == "reload") {
        args["dry_run"] = inv.dry_run;
    } else if (cmd == "scale") {
        args["name"] = inv.set;
        args["count"] = count_value(inv.count);
    } else if (cmd == "logs") {
        if (inv.lines >= 0) args["lines"] = inv.lines;
        args["follow"] = inv.follow;
        if (inv.clear) args["clear"] = true;
    } else if (cmd == "wait") {
        if (!inv.condition.empty()) args["condition"] = inv.condition;
        else args["state"] = inv.state;
        if (inv.timeout >= 0) args["timeout"] = inv.timeout;
    }

    return args;
}

// `tendctl status NAME...` fails when one of them is not up (or done, or an empty set).
bool counts_as_up(std::string_view state) { return state == "running" || state == "completed" || state == "empty"; }

int status_code(const Invocation& inv, const json& result) {
    if (!inv.names.empty())
        for (const auto& s : result)
            if (!s["state"].is_string() || !counts_as_up(s["state"].get_ref<const std::string&>())) return kNotRunning;
    return kOk;
}

// The table, from the reply's text as it is read: the reply of a large table
// is not built into a JSON document first (status_reply.hpp).
int print_status(const Invocation& inv, ControlClient& client, const json& args) {
    StatusReply reply = read_status_reply(client.request_line("status", args));
    if (!reply.ok) return fail(reply.error.empty() ? "request failed" : reply.error);
    std::cout << format_status_table(reply.rows, isatty(STDOUT_FILENO) == 1);
    if (!inv.names.empty())
        for (const StatusRow& s : reply.rows)
            if (!counts_as_up(s.state)) return kNotRunning;
    return kOk;
}

// Prints a successful reply the way `cmd` wants it; returns tendctl's exit code.
int print_reply(const std::string& cmd, const Invocation& inv, const json& result, ControlClient& client) {
    if (cmd == "status") {  // --json: the table is printed by print_status
        print_result(inv, result, "");
        return status_code(inv, result);
    }
    if (cmd == "health") {
        std::string human = result["healthy"].get<bool>() ? "healthy\n" : "";
        for (const auto& p : result["problems"]) human += "unhealthy: " + p.get<std::string>() + "\n";
        print_result(inv, result, human);
        return result["healthy"].get<bool>() ? kOk : kFailed;
    }
    if (cmd == "pid") {
        if (result.is_null()) return fail(inv.names.front() + " is not running");
        const long inner = result.get<long>();
        const std::string whose = inv.names.empty() ? "tend's" : inv.names.front() + "'s";
        try {
            const long pid = PidView(client.peer_pid()).outer(inner);
            return print_result(inv, pid, std::to_string(pid) + "\n");
        } catch (const std::runtime_error& e) {
            return fail("cannot give " + whose + " pid as this process sees it: " + e.what() + "; in tend's PID namespace it is " +
                        std::to_string(inner));
        }
    }
    if (cmd == "version") return print_result(inv, result, result["version"].get<std::string>() + "\n");
    if (cmd == "start" || cmd == "stop" || cmd == "restart") {
        std::string human;
        std::string done = cmd == "start" ? "started" : cmd == "stop" ? "stopped" : "restarted";
        if (inv.no_wait) done = cmd + " requested";
        for (const auto& n : result["services"]) human += n.get<std::string>() + ": " + done + "\n";
        return print_result(inv, result, human);
    }
    if (cmd == "reload") {
        std::string human;
        for (const auto& line : result["plan"]) human += line.get<std::string>() + "\n";
        if (result["plan"].empty()) human += "nothing changed\n";
        for (const auto& w : result["warnings"]) std::cerr << "tendctl: warning: " << w.get<std::string>() << "\n";
        return print_result(inv, result, human);
    }
    if (cmd == "logs" && inv.clear) {
        std::string human;
        for (const auto& n : result["cleared"]) human += n.get<std::string>() + ": cleared\n";
        return print_result(inv, result, human);
    }
    if (cmd == "logs") return print_logs(inv, result, client);
    if (cmd == "events") return print_events(inv, client);
    if (cmd == "signal") {
        std::string human;
        for (const auto& n : result["signalled"]) human += n.get<std::string>() + ": sent " + inv.signal + "\n";
        return print_result(inv, result, human);
    }
    if (cmd == "shutdown") return print_result(inv, result, "shutting down\n");
    if (cmd == "scale")
        return print_result(inv, result, result["name"].get<std::string>() + ": " + std::to_string(result["from"].get<int>()) +
                                             " -> " + std::to_string(result["to"].get<int>()) + " instances\n");
    return print_result(inv, result, "");
}


}  // namespace

int run_tendctl(int argc, char** argv) {
    Invocation inv;
    inv.socket = default_control_socket();  // $TEND_SOCKET read as tend reads it
    std::string cmd;
    if (auto quick = read_status_command_line(argc, argv)) {
        cmd = "status";
        inv.names = std::move(quick->names);
        if (quick->socket) inv.socket = std::move(*quick->socket);
    } else if (auto code = parse_invocation(argc, argv, inv, cmd)) {
        return *code;
    }
    json args = request_args(cmd, inv);
    json reply;
    std::optional<ControlClient> client;
    try {
        client.emplace(inv.socket);
        if (cmd == "status" && !inv.json_output) return print_status(inv, *client, args);
        reply = client->request(cmd, args);
    } catch (const ConnectError& e) {
        return fail(e.what(), kCannotConnect);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    if (!reply.value("ok", false)) return fail(reply.value("error", std::string("request failed")));

    return print_reply(cmd, inv, reply["result"], *client);
}

}  // namespace tend
