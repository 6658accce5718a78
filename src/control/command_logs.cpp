// `logs`: a service's kept lines, or all services' interleaved; with `follow`,
// the connection then streams new lines; with `clear`, they are forgotten instead.
#include <algorithm>
#include <cstdint>

#include "tend/control/command_handler.hpp"
#include "tend/output/line_format.hpp"

namespace tend {
namespace {

using nlohmann::json;

// Well under the control server's per-client output limit, so a logs reply is never what gets a client dropped.
constexpr std::size_t kMaxLogsReplyBytes = 2 * 1024 * 1024;

}  // namespace

std::string CommandHandler::logs(Call& call) {
    const json& args = call.args;
    auto names = string_list_arg(args, "names");
    auto services = operations_.lookup(names, true);
    double wanted = number_arg(args, "lines", -1);
    bool follow = bool_arg(args, "follow", false);
    if (wanted < -1 || wanted > 1e9) throw ArgumentError("argument 'lines' must be a count of lines");
    std::optional<std::size_t> count;
    if (wanted >= 0) count = static_cast<std::size_t>(wanted);
    if (bool_arg(args, "clear", false)) {
        if (follow || count) throw ArgumentError("argument 'clear' goes without 'lines' and 'follow'");
        operations_.clear_logs(services);
        json cleared = json::array();
        for (const Service* s : services) cleared.push_back(s->name());
        return encode_ok({{"cleared", cleared}});
    }
    std::vector<KeptLine> lines = operations_.logs(services, count, !names.empty());
    // A reply is one line of JSON: past kMaxLogsReplyBytes of text the oldest lines are left out.
    std::size_t first = 0;
    std::size_t bytes = 0;
    for (std::size_t i = lines.size(); i > 0; --i) {
        bytes += lines[i - 1].line.text.size() + 100;
        if (bytes > kMaxLogsReplyBytes) {
            first = i;
            break;
        }
    }
    json out = json::array();
    for (std::size_t i = first; i < lines.size(); ++i) out.push_back(line_to_json(lines[i].view()));
    json result = {{"lines", out}, {"follow", follow}};
    if (!follow) return encode_ok(result);

    call.deferred = true;
    call.reply(encode_ok(result));
    Reply stream = call.reply;
    followers_[call.client] = operations_.follow_logs(services, names.empty(), [stream](const LineView& line) {
        std::string message = "{\"line\":";
        append_line_object(message, line, true);
        stream(message + "}\n");
    });
    if (stream_hook_) stream_hook_(call.client);
    return "";  // replied above
}

}  // namespace tend
