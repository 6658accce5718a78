// The method table, the call's decoding and reply's encoding, system.*, and
// supervisord's own methods (version, state, shutdown, reload).
#include "tend/http/supervisor_rpc.hpp"

#include <unistd.h>

#include <algorithm>

namespace tend {
namespace {

const char* fault_name(Fault code) {
    switch (code) {
        case Fault::unknown_method: return "UNKNOWN_METHOD";
        case Fault::incorrect_parameters: return "INCORRECT_PARAMETERS";
        case Fault::bad_arguments: return "BAD_ARGUMENTS";
        case Fault::signature_unsupported: return "SIGNATURE_UNSUPPORTED";
        case Fault::shutdown_state: return "SHUTDOWN_STATE";
        case Fault::bad_name: return "BAD_NAME";
        case Fault::bad_signal: return "BAD_SIGNAL";
        case Fault::no_file: return "NO_FILE";
        case Fault::not_executable: return "NOT_EXECUTABLE";
        case Fault::failed: return "FAILED";
        case Fault::abnormal_termination: return "ABNORMAL_TERMINATION";
        case Fault::spawn_error: return "SPAWN_ERROR";
        case Fault::already_started: return "ALREADY_STARTED";
        case Fault::not_running: return "NOT_RUNNING";
        case Fault::success: return "SUCCESS";
        case Fault::already_added: return "ALREADY_ADDED";
        case Fault::still_running: return "STILL_RUNNING";
        case Fault::cant_reread: return "CANT_REREAD";
    }
    return "UNKNOWN";
}

// A multicall's item: [value], or the fault as a struct.
XmlRpcValue multicall_item(const RpcResult& result) {
    if (const auto* error = std::get_if<RpcError>(&result))
        return XmlRpcStruct{{"faultCode", static_cast<int>(error->code)}, {"faultString", error->text}};
    return XmlRpcArray{std::get<XmlRpcValue>(result)};
}

// A system.multicall under way: its calls are made one after another.
struct Multicall {
    XmlRpcArray calls;
    std::size_t next = 0;
    XmlRpcArray results;
    RpcReply reply;
    Subscription current;
};

void run_multicall(SupervisorRpc& rpc, const std::shared_ptr<Multicall>& m);

RpcResult one_call(SupervisorRpc& rpc, const XmlRpcValue& call, Subscription& pending, RpcReply later) {
    const XmlRpcValue* name = call.member("methodName");
    const XmlRpcValue* params = call.member("params");
    if (!name || !name->get<std::string>()) return RpcError(Fault::incorrect_parameters, "no methodName");
    if (*name->get<std::string>() == "system.multicall")
        return RpcError(Fault::incorrect_parameters, "Recursive system.multicall forbidden");
    static const XmlRpcArray kNone;
    const XmlRpcArray* args = params ? params->get<XmlRpcArray>() : &kNone;
    if (!args) return RpcError(Fault::incorrect_parameters, "params is not an array");
    auto settled = std::make_shared<std::optional<RpcResult>>();
    auto waiting = std::make_shared<bool>(false);
    pending = rpc.dispatch(*name->get<std::string>(), *args, [settled, waiting, later](RpcResult result) {
        if (*waiting) later(std::move(result));
        else *settled = std::move(result);
    });
    if (*settled) return std::move(**settled);
    *waiting = true;
    return XmlRpcValue();  // not used: the call goes on
}

// Calls in a loop while they answer at once; one that waits resumes the loop from its reply.
void run_multicall(SupervisorRpc& rpc, const std::shared_ptr<Multicall>& m) {
    while (m->next < m->calls.size()) {
        const XmlRpcValue& call = m->calls[m->next++];
        std::weak_ptr<Multicall> weak = m;
        Subscription pending;
        RpcResult result = one_call(rpc, call, pending, [&rpc, weak](RpcResult later) {
            if (auto locked = weak.lock()) {
                locked->results.push_back(multicall_item(later));
                run_multicall(rpc, locked);
            }
        });
        if (pending) {
            m->current = std::move(pending);
            return;
        }
        m->results.push_back(multicall_item(result));
    }
    auto reply = std::exchange(m->reply, nullptr);
    if (reply) reply(XmlRpcValue(std::move(m->results)));
}

// A method of no parameters whose answer is always the same.
Subscription constant(const XmlRpcArray& params, RpcReply& reply, XmlRpcValue value) {
    expect_count(params, 0, 0);
    reply(std::move(value));
    return {};
}

}  // namespace

RpcError::RpcError(Fault fault, std::optional<std::string_view> detail) : code(fault), text(fault_name(fault)) {
    if (detail) text += ": " + std::string(*detail);
}

void expect_count(const XmlRpcArray& params, std::size_t at_least, std::size_t at_most) {
    if (params.size() < at_least || params.size() > at_most) throw RpcError(Fault::incorrect_parameters);
}

const std::string& string_param(const XmlRpcArray& params, std::size_t i) {
    const std::string* s = i < params.size() ? params[i].get<std::string>() : nullptr;
    if (!s) throw RpcError(Fault::incorrect_parameters);
    return *s;
}

std::int64_t int_param(const XmlRpcArray& params, std::size_t i) {
    const std::int64_t* n = i < params.size() ? params[i].get<std::int64_t>() : nullptr;
    if (!n) throw RpcError(Fault::incorrect_parameters);
    return *n;
}

bool bool_param(const XmlRpcArray& params, std::size_t i, bool fallback) {
    if (i >= params.size()) return fallback;
    if (const bool* b = params[i].get<bool>()) return *b;
    if (const std::int64_t* n = params[i].get<std::int64_t>()) return *n != 0;
    throw RpcError(Fault::incorrect_parameters);
}

Subscription SupervisorRpc::call(std::string_view body, std::function<void(std::string)> done) {
    XmlRpcCall call;
    try {
        call = parse_xmlrpc_call(body);
    } catch (const XmlRpcMalformed& e) {
        // supervisord answers an unreadable body with HTTP 400; a fault tells the client why.
        done(xmlrpc_fault(static_cast<int>(Fault::incorrect_parameters), std::string("INCORRECT_PARAMETERS: ") + e.what()));
        return {};
    }
    return dispatch(call.method, call.params, [done](RpcResult result) {
        if (const auto* error = std::get_if<RpcError>(&result)) done(xmlrpc_fault(static_cast<int>(error->code), error->text));
        else done(xmlrpc_response(std::get<XmlRpcValue>(result)));
    });
}

Subscription SupervisorRpc::dispatch(const std::string& method, const XmlRpcArray& params, RpcReply reply) {
    const auto& table = methods();
    auto it = std::find_if(table.begin(), table.end(), [&](const Entry& e) { return method == e.name; });
    if (it == table.end()) {
        reply(RpcError(Fault::unknown_method));
        return {};
    }
    try {
        bool system = method.starts_with("system.");
        // supervisord refuses every supervisor.* call once it is shutting down.
        if (!system && operations_.shutting_down()) throw RpcError(Fault::shutdown_state);
        return (this->*(it->method))(params, reply);
    } catch (const RpcError& error) {
        if (reply) reply(error);
    } catch (const Refusal& refusal) {
        if (reply) reply(RpcError(Fault::failed, refusal.what()));
    }
    return {};
}

Subscription SupervisorRpc::list_methods(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    std::vector<std::string> names;
    for (const Entry& e : methods()) names.push_back(e.name);
    std::sort(names.begin(), names.end());
    XmlRpcArray out(names.begin(), names.end());
    reply(XmlRpcValue(std::move(out)));
    return {};
}

Subscription SupervisorRpc::method_help(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    const std::string& name = string_param(params, 0);
    for (const Entry& e : methods())
        if (name == e.name) {
            reply(XmlRpcValue(e.help));
            return {};
        }
    throw RpcError(Fault::signature_unsupported);
}

Subscription SupervisorRpc::multicall(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    const XmlRpcArray* calls = params[0].get<XmlRpcArray>();
    if (!calls) throw RpcError(Fault::incorrect_parameters);
    auto m = std::make_shared<Multicall>();
    m->calls = *calls;
    m->reply = std::exchange(reply, nullptr);
    run_multicall(*this, m);
    if (!m->reply) return {};
    return Subscription([m] { m->current.reset(); m->reply = nullptr; });
}

Subscription SupervisorRpc::api_version(const XmlRpcArray& params, RpcReply& reply) { return constant(params, reply, XmlRpcValue("3.0")); }

Subscription SupervisorRpc::supervisor_version(const XmlRpcArray& params, RpcReply& reply) { return constant(params, reply, XmlRpcValue(TEND_VERSION)); }

Subscription SupervisorRpc::identification(const XmlRpcArray& params, RpcReply& reply) { return constant(params, reply, XmlRpcValue("tend")); }

Subscription SupervisorRpc::state(const XmlRpcArray& params, RpcReply& reply) { return constant(params, reply, XmlRpcValue(XmlRpcStruct{{"statecode", 1}, {"statename", "RUNNING"}})); }

Subscription SupervisorRpc::pid(const XmlRpcArray& params, RpcReply& reply) { return constant(params, reply, XmlRpcValue(static_cast<int>(getpid()))); }

Subscription SupervisorRpc::shutdown(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    operations_.shutdown("shutdown asked over XML-RPC");
    reply(XmlRpcValue(true));
    return {};
}

// What supervisord's restart does (read the config again, apply it) is tend's reload.
Subscription SupervisorRpc::restart(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    return reload_then([](const ReloadOutcome&) {}, reply);
}

}  // namespace tend

namespace tend {

const std::vector<SupervisorRpc::Entry>& SupervisorRpc::methods() {
    using S = SupervisorRpc;
    static const std::vector<Entry> table = {
        {"system.listMethods", &S::list_methods, "Return an array listing the available method names"},
        {"system.methodHelp", &S::method_help, "Return a string showing the method's documentation"},
        {"system.multicall", &S::multicall, "Process an array of calls, and return an array of results"},
        {"supervisor.getAPIVersion", &S::api_version, "Return the version of the RPC API used by supervisord"},
        {"supervisor.getVersion", &S::api_version, "Return the version of the RPC API (before 3.0's name)"},
        {"supervisor.getSupervisorVersion", &S::supervisor_version, "Return tend's version"},
        {"supervisor.getIdentification", &S::identification, "Return identifying string of supervisord: tend"},
        {"supervisor.getState", &S::state, "Return current state of supervisord as a struct"},
        {"supervisor.getPID", &S::pid, "Return the PID of tend"},
        {"supervisor.readLog", &S::read_log, "tend's own log as kept in memory (its last 64 KiB)"},
        {"supervisor.clearLog", &S::clear_log, "forgets tend's own log kept in memory"},
        {"supervisor.shutdown", &S::shutdown, "Shut tend down (its orderly shutdown)"},
        {"supervisor.restart", &S::restart, "Reload tend's config (tend's reload)"},
        {"supervisor.reloadConfig", &S::reload_config, "What a reload would change: [[added, changed, removed]]"},
        {"supervisor.addProcessGroup", &S::add_group, "Apply the config (a reload) and start the group"},
        {"supervisor.removeProcessGroup", &S::remove_group, "Apply the config (a reload)"},
        {"supervisor.getAllConfigInfo", &S::all_config_info, "Get info about all available process configurations"},
        {"supervisor.getProcessInfo", &S::one_process_info, "Get info about a process named name"},
        {"supervisor.getAllProcessInfo", &S::all_process_info, "Get info about all processes"},
        {"supervisor.startProcess", &S::start_process, "Start a process (name, wait=True)"},
        {"supervisor.startProcessGroup", &S::start_group, "Start all processes in the group named 'name'"},
        {"supervisor.startAllProcesses", &S::start_all, "Start all processes listed in the configuration file"},
        {"supervisor.stopProcess", &S::stop_process, "Stop a process named by name (name, wait=True)"},
        {"supervisor.stopProcessGroup", &S::stop_group, "Stop all processes in the process group named 'name'"},
        {"supervisor.stopAllProcesses", &S::stop_all, "Stop all processes in the process list"},
        {"supervisor.signalProcess", &S::signal_process, "Send an arbitrary UNIX signal to the process named by name"},
        {"supervisor.signalProcessGroup", &S::signal_group, "Send a signal to all processes in the group named 'name'"},
        {"supervisor.signalAllProcesses", &S::signal_all, "Send a signal to all processes in the process list"},
        {"supervisor.readProcessStdoutLog", &S::read_stdout, "Read length bytes from name's kept stdout starting at offset"},
        {"supervisor.readProcessStderrLog", &S::read_stderr, "Read length bytes from name's kept stderr starting at offset"},
        {"supervisor.tailProcessStdoutLog", &S::tail_stdout, "[bytes, offset, overflow] of name's kept stdout"},
        {"supervisor.tailProcessStderrLog", &S::tail_stderr, "[bytes, offset, overflow] of name's kept stderr"},
        {"supervisor.clearProcessLogs", &S::clear_process_logs, "forgets the output tend keeps in memory for the process"},
        {"supervisor.clearAllProcessLogs", &S::clear_all_logs, "forgets the output tend keeps in memory for every process"},
        // supervisord still answers to the names its 2.x API gave these; older clients call them.
        {"supervisor.readMainLog", &S::read_log, "readLog's older name"},
        {"supervisor.readProcessLog", &S::read_stdout, "readProcessStdoutLog's older name"},
        {"supervisor.tailProcessLog", &S::tail_stdout, "tailProcessStdoutLog's older name"},
        {"supervisor.clearProcessLog", &S::clear_process_logs, "clearProcessLogs's older name"},
    };
    return table;
}

}  // namespace tend
