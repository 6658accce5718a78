// supervisord's log reads over the output tend keeps in memory (the last
// `log_buffer_lines` of each service): the kept lines of one stream stand in
// for its log file, read and tailed with supervisord's offset rules; and the
// config reads (reloadConfig, add/removeProcessGroup) over tend's reload;
// tend's own log kept in memory stands in for supervisord's main log.
#include "tend/http/supervisor_rpc.hpp"

#include <algorithm>

namespace tend {
namespace {

// supervisord's readFile: a negative offset reads that many bytes from the end (length 0).
std::string read_range(const std::string& text, std::int64_t offset, std::int64_t length) {
    auto size = static_cast<std::int64_t>(text.size());
    if (offset < 0) {
        if (length != 0) throw RpcError(Fault::bad_arguments);
        length = -offset;
        offset = std::max<std::int64_t>(0, size - length);
    } else if (length == 0) {
        length = size - offset;
    }
    if (offset < 0 || length < 0) throw RpcError(Fault::bad_arguments);
    if (offset >= size) return "";
    return text.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
}

}  // namespace

std::string SupervisorRpc::output_text(const std::string& name, OutputStream stream) const {
    Target target = resolve(name);
    if (target.whole_group) throw RpcError(Fault::bad_name, name);
    std::vector<KeptLine> lines;
    try {
        lines = operations_.logs(target.services, std::nullopt, true);
    } catch (const Refusal& refusal) {
        throw RpcError(Fault::no_file, refusal.what());
    }
    std::string text;
    for (const KeptLine& line : lines)
        if (line.line.stream == stream) text += line.line.text + "\n";
    return text;
}

Subscription SupervisorRpc::read_stdout(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 3, 3);
    std::string text = output_text(string_param(params, 0), OutputStream::out);
    reply(XmlRpcValue(read_range(text, int_param(params, 1), int_param(params, 2))));
    return {};
}

Subscription SupervisorRpc::read_stderr(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 3, 3);
    std::string text = output_text(string_param(params, 0), OutputStream::err);
    reply(XmlRpcValue(read_range(text, int_param(params, 1), int_param(params, 2))));
    return {};
}

namespace {

// supervisord's tailFile: [bytes, offset after them, overflow].
XmlRpcValue tail(const std::string& text, std::int64_t offset, std::int64_t length) {
    if (offset < 0 || length < 0) throw RpcError(Fault::bad_arguments);
    auto size = static_cast<std::int64_t>(text.size());
    bool overflow = size > offset + length;
    if (overflow) offset = size - length;
    std::string bytes = offset < size ? text.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length)) : "";
    return XmlRpcArray{std::move(bytes), size, overflow};
}

}  // namespace

Subscription SupervisorRpc::tail_stdout(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 3, 3);
    reply(tail(output_text(string_param(params, 0), OutputStream::out), int_param(params, 1), int_param(params, 2)));
    return {};
}

Subscription SupervisorRpc::tail_stderr(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 3, 3);
    reply(tail(output_text(string_param(params, 0), OutputStream::err), int_param(params, 1), int_param(params, 2)));
    return {};
}

// The kept lines are forgotten (tend's log files, if any, stay: they rotate on their own).
Subscription SupervisorRpc::clear_process_logs(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    std::string name = string_param(params, 0);
    Target target = resolve(name);
    if (target.whole_group) throw RpcError(Fault::bad_name, name);
    operations_.clear_logs(target.services);
    reply(XmlRpcValue(true));
    return {};
}

Subscription SupervisorRpc::clear_all_logs(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    XmlRpcArray out;
    std::vector<Service*> services = all_services();
    operations_.clear_logs(services);
    for (const Service* s : services)
        out.push_back(XmlRpcStruct{{"name", s->name()}, {"group", group_of(*s)}, {"status", static_cast<int>(Fault::success)},
                                   {"description", "OK"}});
    reply(XmlRpcValue(std::move(out)));
    return {};
}

// tend's own log: the lines it keeps in memory stand in for supervisord's main log file.
Subscription SupervisorRpc::read_log(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 2, 2);
    reply(XmlRpcValue(read_range(operations_.own_log(), int_param(params, 0), int_param(params, 1))));
    return {};
}

Subscription SupervisorRpc::clear_log(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    operations_.clear_own_log();
    reply(XmlRpcValue(true));
    return {};
}

Subscription SupervisorRpc::reload_then(std::function<void(const ReloadOutcome&)> then, RpcReply& reply) {
    RpcReply done = std::exchange(reply, nullptr);
    return operations_.reload(false, [then, done](const Outcome& outcome, const ReloadOutcome& result) {
        if (!outcome.ok()) return done(RpcError(Fault::cant_reread, outcome.error));
        then(result);
        done(XmlRpcValue(true));
    });
}

// reread: what a reload would change, by group (nothing applied yet).
Subscription SupervisorRpc::reload_config(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 0, 0);
    RpcReply done = std::exchange(reply, nullptr);
    return operations_.reload(true, [done](const Outcome& outcome, const ReloadOutcome& result) {
        if (!outcome.ok()) return done(RpcError(Fault::cant_reread, outcome.error));
        XmlRpcArray added, changed, removed;
        for (const ServiceDiff& d : result.diff.services) {
            if (d.change == ServiceChange::added) added.push_back(d.name);
            else if (d.change == ServiceChange::removed) removed.push_back(d.name);
            else if (d.change == ServiceChange::restarted || d.change == ServiceChange::updated) changed.push_back(d.name);
        }
        // One array holding the three: XmlRpcArray{XmlRpcArray{...}} would be
        // the inner array itself under clang (a braced list of one element of the
        // same type copies it), and supervisorctl unpacks result[0] into three.
        XmlRpcArray result_list;
        result_list.emplace_back(XmlRpcArray{std::move(added), std::move(changed), std::move(removed)});
        done(XmlRpcValue(std::move(result_list)));
    });
}

// supervisorctl's update calls these for each group reread named: the first
// applies the reload (tend applies a config whole), the rest find it done.
// A group added back is started, as supervisord's add does.
Subscription SupervisorRpc::add_group(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    std::string name = string_param(params, 0);
    return reload_then([this, name](const ReloadOutcome&) {
        try {
            for (Service* s : operations_.lookup({name}, false))
                if (s->spec().autostart && process_code(operations_.status(*s).state) == ProcessCode::stopped)
                    (void)operations_.start({s});
        } catch (const Refusal&) {
        }
    }, reply);
}

Subscription SupervisorRpc::remove_group(const XmlRpcArray& params, RpcReply& reply) {
    expect_count(params, 1, 1);
    return reload_then([](const ReloadOutcome&) {}, reply);
}

}  // namespace tend
