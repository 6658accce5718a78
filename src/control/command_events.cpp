// `events`: an ok reply, then one JSON line per event until the client goes.
// A client that stops reading is dropped by the connection's output bound,
// like a logs follower: nothing is kept for it without bound.
#include "tend/control/command_handler.hpp"
#include "tend/control/event_json.hpp"

namespace tend {

std::string CommandHandler::events(Call& call) {
    call.deferred = true;
    call.reply(encode_ok({{"events", true}}));
    Reply stream = call.reply;
    followers_[call.client] = operations_.follow_events([stream](const OperatorEvent& e) {
        stream(nlohmann::json{{"event", event_json(e)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
               "\n");
    });
    if (stream_hook_) stream_hook_(call.client);
    return "";  // replied above
}

}  // namespace tend
