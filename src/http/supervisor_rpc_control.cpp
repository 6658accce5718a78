// startProcess, stopProcess, signalProcess and their group and all forms:
// supervisord's checks of the state before acting (ALREADY_STARTED,
// NOT_RUNNING), then Operations' start, stop or signal, and its wait.
#include "tend/http/supervisor_rpc.hpp"

#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

bool is_running(ProcessCode c) {
    return c == ProcessCode::running || c == ProcessCode::backoff || c == ProcessCode::starting;
}
bool is_signallable(ProcessCode c) {
    return c == ProcessCode::running || c == ProcessCode::starting || c == ProcessCode::stopping;
}

// A group's or all processes' request under way: one result struct each, in order.
struct Gather {
    XmlRpcArray results;
    std::size_t left = 1;  // one more until every request was made
    RpcReply reply;
    std::vector<Subscription> waits;

    void settled() {
        if (--left == 0 && reply) std::exchange(reply, nullptr)(XmlRpcValue(std::move(results)));
    }
};

XmlRpcValue result_struct(const Service& s, const RpcResult& result) {
    const auto* error = std::get_if<RpcError>(&result);
    return XmlRpcStruct{{"name", s.name()},
                        {"group", SupervisorRpc::group_of(s)},
                        {"status", static_cast<int>(error ? error->code : Fault::success)},
                        {"description", error ? error->text : std::string("OK")}};
}

// What supervisord calls it: "web" for a group of its own, "worker:worker-0" in a replicas group.
std::string namespec(const Service& s) {
    std::string group = SupervisorRpc::group_of(s);
    return group == s.name() ? group : group + ":" + s.name();
}

ProcessCode code_of(Operations& operations, const Service& s) { return process_code(operations.status(s).state); }

}  // namespace

Subscription SupervisorRpc::start_one(Service& service, bool wait, RpcReply done) {
    std::string name = namespec(service);
    if (is_running(code_of(operations_, service))) throw RpcError(Fault::already_started, name);
    LifecycleRequest request = operations_.start({&service});
    if (!wait) {
        done(XmlRpcValue(true));
        return {};
    }
    std::uint64_t id = service.id();
    return operations_.await(request, Operations::kDefaultWaitTimeout, [this, done, name, id](const Outcome& outcome) {
        if (outcome.ok()) return done(XmlRpcValue(true));
        // Gave up (fatal): supervisord's spawn error; else it ended before it was up.
        bool gave_up = false;
        for (Service* s : all_services())
            if (s->id() == id) gave_up = code_of(operations_, *s) == ProcessCode::fatal;
        done(RpcError(gave_up ? Fault::spawn_error : Fault::abnormal_termination, name));
    });
}

Subscription SupervisorRpc::stop_one(Service& service, bool wait, RpcReply done) {
    std::string name = namespec(service);
    if (!is_running(code_of(operations_, service))) throw RpcError(Fault::not_running, name);
    LifecycleRequest request = operations_.stop({&service}, false);
    if (!wait) {
        done(XmlRpcValue(true));
        return {};
    }
    return operations_.await(request, Duration::zero(), [done, name](const Outcome& outcome) {
        if (outcome.ok()) done(XmlRpcValue(true));
        else done(RpcError(Fault::failed, outcome.error));
    });
}

void SupervisorRpc::signal_one(Service& service, const std::string& signal) {
    std::optional<int> sig = parse_signal(signal);
    if (!sig) throw RpcError(Fault::bad_signal, signal);
    if (!is_signallable(code_of(operations_, service)))
        throw RpcError(Fault::not_running, namespec(service));
    operations_.signal({&service}, *sig);
}

namespace {

// `act` on each service that `wanted` admits, gathering one result struct each.
template <class Act>
Subscription gather(const std::vector<Service*>& services, RpcReply& reply, Act act) {
    auto g = std::make_shared<Gather>();
    g->reply = std::exchange(reply, nullptr);
    for (Service* s : services) {
        std::size_t slot = g->results.size();
        g->results.emplace_back();
        ++g->left;
        std::weak_ptr<Gather> weak = g;
        RpcReply done = [weak, slot, s_name = s->name(), s_group = SupervisorRpc::group_of(*s)](RpcResult result) {
            auto locked = weak.lock();
            if (!locked) return;
            const auto* error = std::get_if<RpcError>(&result);
            locked->results[slot] = XmlRpcStruct{{"name", s_name}, {"group", s_group},
                                                 {"status", static_cast<int>(error ? error->code : Fault::success)},
                                                 {"description", error ? error->text : std::string("OK")}};
            locked->settled();
        };
        try {
            g->waits.push_back(act(*s, done));
        } catch (const RpcError& error) {
            done(error);
        } catch (const Refusal& refusal) {
            done(RpcError(Fault::failed, refusal.what()));
        }
    }
    g->settled();
    if (!g->reply) return {};
    return Subscription([g] { g->waits.clear(); g->reply = nullptr; });
}

}  // namespace

Subscription SupervisorRpc::start_many(std::vector<Service*> services, bool wait, RpcReply& reply) {
    std::erase_if(services, [this](Service* s) { return is_running(code_of(operations_, *s)); });
    return gather(services, reply, [this, wait](Service& s, RpcReply done) { return start_one(s, wait, done); });
}

Subscription SupervisorRpc::stop_many(std::vector<Service*> services, bool wait, RpcReply& reply) {
    std::erase_if(services, [this](Service* s) { return !is_running(code_of(operations_, *s)); });
    return gather(services, reply, [this, wait](Service& s, RpcReply done) { return stop_one(s, wait, done); });
}

XmlRpcValue SupervisorRpc::signal_many(const std::vector<Service*>& services, const std::string& signal) {
    XmlRpcArray out;
    for (Service* s : services) {
        if (!is_signallable(code_of(operations_, *s))) continue;
        try {
            signal_one(*s, signal);
            out.push_back(result_struct(*s, XmlRpcValue(true)));
        } catch (const RpcError& error) {
            out.push_back(result_struct(*s, error));
        } catch (const Refusal& refusal) {
            out.push_back(result_struct(*s, RpcError(Fault::failed, refusal.what())));
        }
    }
    return out;
}

// startProcess and stopProcess: one process, or a group named "group:*" (the group's method, then).
Subscription SupervisorRpc::one_or_group(const XmlRpcArray& params, RpcReply& reply, bool start) {
    expect_count(params, 1, 2);
    bool wait = bool_param(params, 1, true);
    Target target = resolve(string_param(params, 0));
    if (target.whole_group) return start ? start_many(target.services, wait, reply) : stop_many(target.services, wait, reply);
    return start ? start_one(*target.services[0], wait, reply) : stop_one(*target.services[0], wait, reply);
}

Subscription SupervisorRpc::start_process(const XmlRpcArray& params, RpcReply& reply) {
    return one_or_group(params, reply, true);
}

Subscription SupervisorRpc::start_group(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 2);
    const std::string& name = string_param(params, 0);
    Target target = resolve(name + ":*");
    return start_many(target.services, bool_param(params, 1, true), reply);
}

Subscription SupervisorRpc::start_all(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 1);
    return start_many(all_services(), bool_param(params, 0, true), reply);
}

Subscription SupervisorRpc::stop_process(const XmlRpcArray& params, RpcReply& reply) {
    return one_or_group(params, reply, false);
}

Subscription SupervisorRpc::stop_group(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 2);
    Target target = resolve(string_param(params, 0) + ":*");
    return stop_many(target.services, bool_param(params, 1, true), reply);
}

Subscription SupervisorRpc::stop_all(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 1);
    return stop_many(all_services(), bool_param(params, 0, true), reply);
}

Subscription SupervisorRpc::signal_process(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 2, 2);
    Target target = resolve(string_param(params, 0));
    const XmlRpcValue& signal = params[1];
    std::string text = signal.get<std::string>()    ? *signal.get<std::string>()
                       : signal.get<std::int64_t>() ? std::to_string(*signal.get<std::int64_t>())
                                                    : throw RpcError(Fault::incorrect_parameters);
    if (target.whole_group) {
        reply(signal_many(target.services, text));
        return {};
    }
    signal_one(*target.services[0], text);
    reply(XmlRpcValue(true));
    return {};
}

Subscription SupervisorRpc::signal_group(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 2, 2);
    Target target = resolve(string_param(params, 0) + ":*");
    reply(signal_many(target.services, string_param(params, 1)));
    return {};
}

Subscription SupervisorRpc::signal_all(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    reply(signal_many(all_services(), string_param(params, 0)));
    return {};
}

}  // namespace tend
