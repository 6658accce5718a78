// `events`: an ok reply, then one JSON line per event until the client goes.
// A client that stops reading is dropped by the connection's output bound,
// like a logs follower: nothing is kept for it without bound.
#include <chrono>

#include "tend/control/command_handler.hpp"
#include "tend/util/wall_time_text.hpp"

namespace tend {

std::string CommandHandler::events(Call& call) {
    call.deferred = true;
    call.reply(encode_ok({{"events", true}}));
    Reply stream = call.reply;
    followers_[call.client] = operations_.follow_events([stream](const OperatorEvent& e) {
        auto text_or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
        nlohmann::json event = {{"time", rfc3339_local(std::chrono::system_clock::now())},
                                {"kind", e.kind},
                                {"service", text_or_null(e.service)},
                                {"from", text_or_null(e.from)},
                                {"to", text_or_null(e.to)},
                                {"reason", text_or_null(e.reason)}};
        stream(nlohmann::json{{"event", event}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    });
    if (stream_hook_) stream_hook_(call.client);
    return "";  // replied above
}

}  // namespace tend
