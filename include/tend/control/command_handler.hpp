// Carries out control requests against the supervisor. start, stop, restart
// and wait reply only once their condition holds (or fails, or times out), so
// `tendctl restart web && curl …` works; the rest reply at once.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tend/control/protocol.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/supervisor/operations.hpp"
#include "tend/supervisor/supervisor.hpp"

namespace tend {

class CommandHandler {
public:
    using Reply = std::function<void(const std::string& line)>;

    CommandHandler(EventLoop& loop, Supervisor& supervisor);
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
    // A pending reply: `check` returns the reply line once the request is done.
    struct Waiter {
        std::uint64_t client;
        std::function<std::optional<std::string>()> check;
        Reply reply;
        std::string timeout_message;
        EventSource timer;
    };

    struct Target {
        std::uint64_t id;
        std::string name;
    };
    static std::vector<Target> targets(const std::vector<Service*>& services);

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
    std::string lifecycle(Call& call);
    std::string wait(Call& call);
    std::vector<Service*> resolve(const std::vector<std::string>& names, bool allow_empty_as_all);
    void defer(std::uint64_t client, Reply reply, Duration timeout, std::string timeout_message,
               std::function<std::optional<std::string>()> check);
    void check_waiters();

    // Beyond the stops, what reading and checking the config may take (a
    // 200,000-key file takes about a second).
    static constexpr Duration kReloadReadBudget = std::chrono::seconds(30);

    EventLoop& loop_;
    Supervisor& supervisor_;
    Operations operations_;
    std::list<std::unique_ptr<Waiter>> waiters_;
    std::vector<std::unique_ptr<Waiter>> expired_;
    std::map<std::uint64_t, Subscription> followers_;  // client -> its follow of the output router
    EventSource recheck_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // what a reload still reading checks
    std::vector<Subscription> subscriptions_;  // last: unsubscribed before anything they call goes
    std::function<void(std::uint64_t)> stream_hook_;
};

}  // namespace tend
