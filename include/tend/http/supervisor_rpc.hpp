// supervisord's XML-RPC interface (its `system` and `supervisor` namespaces,
// API 3.0) over Operations: each method decodes its parameters, calls the
// same members the control socket's commands call, and encodes what they
// return as supervisord would (process info structs, state codes, faults
// with supervisord's codes and texts), so supervisorctl and other clients of
// supervisord work against tend. Replicas are a process group, as numprocs;
// any other service is a group of its own.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tend/http/xmlrpc.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {

// supervisord's fault codes (supervisor/xmlrpc.py).
enum class Fault {
    unknown_method = 1, incorrect_parameters = 2, bad_arguments = 3, signature_unsupported = 4,
    shutdown_state = 6, bad_name = 10, bad_signal = 11, no_file = 20, not_executable = 21, failed = 30,
    abnormal_termination = 40, spawn_error = 50, already_started = 60, not_running = 70, success = 80,
    already_added = 90, still_running = 91, cant_reread = 92,
};

// A fault as supervisord words it: its name, then ": " and the detail when there is one
// (an empty name is a detail: supervisord answers getProcessInfo("") with "BAD_NAME: ").
struct RpcError {
    RpcError(Fault code, std::optional<std::string_view> detail = std::nullopt);
    Fault code;
    std::string text;
};

using RpcResult = std::variant<XmlRpcValue, RpcError>;
using RpcReply = std::function<void(RpcResult)>;

// supervisord's process state codes.
enum class ProcessCode { stopped = 0, starting = 10, running = 20, backoff = 30, stopping = 40, exited = 100,
                         fatal = 200, unknown = 1000 };
ProcessCode process_code(std::string_view tend_state);
const char* to_string(ProcessCode code);

class SupervisorRpc {
public:
    explicit SupervisorRpc(Operations& operations) : operations_(operations) {}

    // Answers one request body with a methodResponse. `done` is called
    // exactly once: before this returns (the handle is then empty), or later
    // when a wait ends, unless the handle is dropped first.
    [[nodiscard]] Subscription call(std::string_view body, std::function<void(std::string)> done);

    // One method by name (what system.multicall calls for each of its calls).
    [[nodiscard]] Subscription dispatch(const std::string& method, const XmlRpcArray& params, RpcReply reply);

    // supervisord's process names: "group:name", "group:*" or a bare name.
    struct Target {
        std::string group;
        std::vector<Service*> services;  // the one process, or the group's
        bool whole_group = false;
    };
    Target resolve(const std::string& name) const;
    static std::string group_of(const Service& service);
    XmlRpcValue process_info(const Service& service) const;

private:
    using Method = Subscription (SupervisorRpc::*)(const XmlRpcArray&, RpcReply&);
    struct Entry {
        const char* name;
        Method method;
        const char* help;
    };
    static const std::vector<Entry>& methods();

    Subscription list_methods(const XmlRpcArray& params, RpcReply& reply);
    Subscription method_help(const XmlRpcArray& params, RpcReply& reply);
    Subscription multicall(const XmlRpcArray& params, RpcReply& reply);
    Subscription api_version(const XmlRpcArray& params, RpcReply& reply);
    Subscription supervisor_version(const XmlRpcArray& params, RpcReply& reply);
    Subscription identification(const XmlRpcArray& params, RpcReply& reply);
    Subscription state(const XmlRpcArray& params, RpcReply& reply);
    Subscription pid(const XmlRpcArray& params, RpcReply& reply);
    Subscription read_log(const XmlRpcArray& params, RpcReply& reply);
    Subscription clear_log(const XmlRpcArray& params, RpcReply& reply);
    Subscription shutdown(const XmlRpcArray& params, RpcReply& reply);
    Subscription restart(const XmlRpcArray& params, RpcReply& reply);
    Subscription reload_config(const XmlRpcArray& params, RpcReply& reply);
    Subscription add_group(const XmlRpcArray& params, RpcReply& reply);
    Subscription remove_group(const XmlRpcArray& params, RpcReply& reply);
    Subscription all_config_info(const XmlRpcArray& params, RpcReply& reply);
    Subscription one_process_info(const XmlRpcArray& params, RpcReply& reply);
    Subscription all_process_info(const XmlRpcArray& params, RpcReply& reply);
    Subscription start_process(const XmlRpcArray& params, RpcReply& reply);
    Subscription start_group(const XmlRpcArray& params, RpcReply& reply);
    Subscription start_all(const XmlRpcArray& params, RpcReply& reply);
    Subscription stop_process(const XmlRpcArray& params, RpcReply& reply);
    Subscription stop_group(const XmlRpcArray& params, RpcReply& reply);
    Subscription stop_all(const XmlRpcArray& params, RpcReply& reply);
    Subscription signal_process(const XmlRpcArray& params, RpcReply& reply);
    Subscription signal_group(const XmlRpcArray& params, RpcReply& reply);
    Subscription signal_all(const XmlRpcArray& params, RpcReply& reply);
    Subscription read_stdout(const XmlRpcArray& params, RpcReply& reply);
    Subscription read_stderr(const XmlRpcArray& params, RpcReply& reply);
    Subscription tail_stdout(const XmlRpcArray& params, RpcReply& reply);
    Subscription tail_stderr(const XmlRpcArray& params, RpcReply& reply);
    Subscription clear_process_logs(const XmlRpcArray& params, RpcReply& reply);
    Subscription clear_all_logs(const XmlRpcArray& params, RpcReply& reply);

    // Starts or stops these (a group's, or all), one result struct each, once every wait ended.
    Subscription start_many(std::vector<Service*> services, bool wait, RpcReply& reply);
    Subscription stop_many(std::vector<Service*> services, bool wait, RpcReply& reply);
    XmlRpcValue signal_many(const std::vector<Service*>& services, const std::string& signal);
    Subscription one_or_group(const XmlRpcArray& params, RpcReply& reply, bool start);
    // One process started or stopped; `done` is told how it ended.
    Subscription start_one(Service& service, bool wait, RpcReply done);
    Subscription stop_one(Service& service, bool wait, RpcReply done);
    void signal_one(Service& service, const std::string& signal);
    Subscription reload_then(std::function<void(const ReloadOutcome&)> then, RpcReply& reply);
    std::string output_text(const std::string& name, OutputStream stream) const;
    std::vector<Service*> all_services() const;

    Operations& operations_;
};

// Parameters as a method expects them: INCORRECT_PARAMETERS otherwise.
void expect_count(const XmlRpcArray& params, std::size_t at_least, std::size_t at_most);
const std::string& string_param(const XmlRpcArray& params, std::size_t i);
std::int64_t int_param(const XmlRpcArray& params, std::size_t i);
bool bool_param(const XmlRpcArray& params, std::size_t i, bool fallback);

}  // namespace tend
