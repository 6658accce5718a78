// The JSON front end over Operations: decodes a request's arguments, calls
// the operation and encodes its result. start, stop, restart, wait and reload
// reply only once the operation completes (or fails, or times out), so
// `tendctl restart web && curl …` works; the rest reply at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tend/control/protocol.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {

class CommandHandler {
public:
    using Reply = std::function<void(const std::string& line)>;

    // `operations` outlives the handler.
    explicit CommandHandler(Operations& operations) : operations_(operations) {}
    CommandHandler(const CommandHandler&) = delete;
    CommandHandler& operator=(const CommandHandler&) = delete;

    // The names this handler answers (checked against kCommands by a unit test).
    static std::vector<std::string_view> handled_commands();

    // Calls `reply` exactly once, now or later, unless forget(client) comes first.
    void handle(const Request& request, std::uint64_t client, Reply reply);
    // The client went away: its pending replies and its log follow are dropped.
    void forget(std::uint64_t client);
    // Called when a client's connection turns into a stream (`logs -f`): it
    // will receive lines without asking, so it must not time out as idle.
    void set_stream_hook(std::function<void(std::uint64_t client)> hook) { stream_hook_ = std::move(hook); }

private:
    // One request being handled: what each command's member gets.
    struct Call {
        const std::string& cmd;
        const nlohmann::json& args;
        std::uint64_t client;
        Reply& reply;
        bool& deferred;  // set when the reply comes later, through `reply`
    };
    using Method = std::string (CommandHandler::*)(Call&);
    static const std::vector<std::pair<std::string_view, Method>>& table();

    std::string run(const Request& request, std::uint64_t client, Reply& reply, bool& deferred);
    std::string status(Call& call);
    std::string version(Call& call);
    std::string pid(Call& call);
    std::string health(Call& call);
    std::string shutdown(Call& call);
    std::string signal(Call& call);
    std::string reload(Call& call);
    std::string logs(Call& call);
    std::string events(Call& call);
    std::string lifecycle(Call& call);
    std::string scale(Call& call);
    std::string wait(Call& call);
    // The reply comes once `start(settled)` calls settled; `start` returns the wait's handle.
    void reply_later(Call& call, const std::function<Subscription(std::function<void(std::string)>)>& start);

    // A reply still to come: the wait it comes from, for forget() to drop.
    struct Pending {
        std::uint64_t client;
        Subscription wait;
    };

    Operations& operations_;
    std::map<std::uint64_t, Pending> pending_;  // by request
    std::uint64_t next_request_ = 1;
    std::map<std::uint64_t, Subscription> followers_;  // client -> its follow of the output router
    std::function<void(std::uint64_t)> stream_hook_;
};

}  // namespace tend
