#include "tend/http/stream_routes.hpp"

#include <string>

#include "tend/control/event_json.hpp"

namespace tend {
namespace {

constexpr const char* kPlain = "text/plain; charset=utf-8";

HttpAnswer refuse(unsigned status, std::string text) { return {HttpReply{status, kPlain, printable(text, 4000) + "\n"}, {}, {}}; }

std::string last_bytes(const std::string& text, std::size_t n) {
    return text.size() > n ? text.substr(text.size() - n) : text;
}

// As supervisord's: a plain text stream, chunked, unbuffered by proxies.
HttpStream text_stream(std::string first) {
    HttpStream stream;
    stream.content_type = "text/plain;charset=utf-8";
    stream.headers = {{"X-Accel-Buffering", "no"}};
    stream.first = std::move(first);
    return stream;
}

// `/logtail/NAME[/stdout|/stderr]`: the last 1 KiB of the stream's kept lines, then each new line.
HttpAnswer logtail(Operations& operations, const SupervisorRpc& rpc, std::string_view rest) {
    std::string name(rest.substr(0, rest.find('/')));
    std::string channel = rest.find('/') == std::string_view::npos ? "stdout" : std::string(rest.substr(rest.find('/') + 1));
    if (channel != "stdout" && channel != "stderr") return refuse(404, "no such channel: " + channel + " (stdout or stderr)");
    SupervisorRpc::Target target;
    try {
        target = rpc.resolve(name);
    } catch (const RpcError&) {
        return refuse(404, "no such process: " + name);
    }
    if (target.whole_group || target.services.size() != 1) return refuse(404, name + " is a group, not one process");
    Service* service = target.services[0];
    OutputStream wanted = channel == "stdout" ? OutputStream::out : OutputStream::err;
    std::string kept;
    try {
        for (const KeptLine& line : operations.logs({service}, std::nullopt, true))
            if (line.line.stream == wanted) kept += line.line.text + "\n";
    } catch (const Refusal& refusal) {
        return refuse(404, refusal.what());
    }
    HttpStream stream = text_stream(last_bytes(kept, kTailStartBytes));
    stream.start = [&operations, service, wanted](StreamPush push) {
        return operations.follow_logs({service}, false, [push, wanted](const LineView& line) {
            if (line.stream != wanted) return;
            std::string text(line.text);
            text += '\n';
            push(text);
        });
    };
    return {std::nullopt, {}, std::move(stream)};
}

HttpAnswer mainlogtail(Operations& operations) {
    HttpStream stream = text_stream(last_bytes(operations.own_log(), kTailStartBytes));
    stream.start = [&operations](StreamPush push) {
        return operations.follow_own_log([push](std::string_view line) { push(line); });
    };
    return {std::nullopt, {}, std::move(stream)};
}

// One `data:` line per event, as `tendctl events --json` prints it.
HttpAnswer events(Operations& operations) {
    HttpStream stream;
    stream.content_type = "text/event-stream";
    stream.headers = {{"X-Accel-Buffering", "no"}};
    stream.first = ": tend events\n\n";  // a comment: the client knows it is connected
    stream.start = [&operations](StreamPush push) {
        return operations.follow_events([push](const OperatorEvent& e) { push("data: " + event_json_line(e) + "\n\n"); });
    };
    return {std::nullopt, {}, std::move(stream)};
}

}  // namespace

std::optional<HttpAnswer> stream_route(Operations& operations, const SupervisorRpc& rpc, std::string_view method,
                                       std::string_view path) {
    constexpr std::string_view kLogtail = "/logtail/";
    bool logtail_path = path.starts_with(kLogtail) && path.size() > kLogtail.size();
    if (!logtail_path && path != "/mainlogtail" && path != "/events") return std::nullopt;
    // HEAD too: its head would promise a body that never ends.
    if (method != "GET") return refuse(405, "only GET is served on " + std::string(path));
    if (logtail_path) return logtail(operations, rpc, path.substr(kLogtail.size()));
    if (path == "/mainlogtail") return mainlogtail(operations);
    return events(operations);
}

}  // namespace tend
