// `logs`: a service's kept lines, or all services' interleaved; with `follow`,
// the connection then streams new lines.
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
    const std::uint64_t client = call.client;
    Reply& reply = call.reply;
    bool& deferred = call.deferred;
    auto names = string_list_arg(args, "names");
    auto services = resolve(names, true);
    double wanted = number_arg(args, "lines", -1);
    bool follow = bool_arg(args, "follow", false);
    if (wanted < -1 || wanted > 1e9) throw ArgumentError("argument 'lines' must be a count of lines");
    for (Service* s : services)
        if (!names.empty() && !ServiceOutput::captures(s->spec()))
            throw ArgumentError(s->name() + "'s output is not captured (output: " + to_string(s->spec().output) +
                                "), so tend keeps none of it");

    // Interleave the services' rings by arrival, keep the newest `wanted`: they
    // are among each ring's newest `wanted`, so only those are copied out.
    std::size_t per_ring = wanted < 0 ? SIZE_MAX : static_cast<std::size_t>(wanted);
    std::vector<std::pair<StoredLine, const std::string*>> lines;
    for (Service* s : services)
        if (s->output)
            for (StoredLine& line : s->output->ring().last(per_ring)) lines.emplace_back(std::move(line), &s->name());
    std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first.seq < b.first.seq; });
    std::size_t keep = wanted < 0 ? lines.size() : std::min(lines.size(), static_cast<std::size_t>(wanted));
    // A reply is one line of JSON: past kMaxLogsReplyBytes of text the oldest lines are left out.
    std::size_t first = lines.size() - keep;
    std::size_t bytes = 0;
    for (std::size_t i = lines.size(); i > first; --i) {
        bytes += lines[i - 1].first.text.size() + 100;
        if (bytes > kMaxLogsReplyBytes) {
            first = i;
            break;
        }
    }
    json out = json::array();
    for (std::size_t i = first; i < lines.size(); ++i) out.push_back(line_to_json(lines[i].first.view(*lines[i].second)));
    json result = {{"lines", out}, {"follow", follow}};
    if (!follow) return encode_ok(result);

    deferred = true;
    reply(encode_ok(result));
    std::vector<std::string> followed;
    for (Service* s : services) followed.push_back(s->name());
    if (names.empty()) followed.clear();  // every service, including ones a reload adds later
    Reply stream = reply;
    followers_[client] = supervisor_.output().follow(std::move(followed), [stream](const LineView& line) {
        std::string message = "{\"line\":";
        append_line_object(message, line, true);
        stream(message + "}\n");
    });
    if (stream_hook_) stream_hook_(client);
    return "";  // replied above
}

}  // namespace tend
