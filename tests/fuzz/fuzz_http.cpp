// What an HTTP client can ask of the front, answered by a supervisor on the
// fake host: any XML-RPC call (any method name and parameters, multicalls of
// them, waits) and any GET, HEAD or POST of any path. A call is answered
// exactly once with a methodResponse (at once, or once the fake clock has run
// its wait out), a page always has a status, nothing crashes, and the
// supervisor still answers for its services afterwards.
//
// The input's first line is the path; the rest is the body of a POST to /RPC2.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor_harness.hpp"
#include "tend/http/http_routes.hpp"
#include "tend/http/supervisor_rpc.hpp"
#include "tend/supervisor/operations.hpp"

namespace {

using namespace tend;
using namespace tend::test;

const std::string& config() {
    static const std::string yaml = "services:\n" + service("web") + service("api", "    depends_on: [web]\n") +
                                    service("worker", "    replicas: 2\n") +
                                    service("job", "    restart: never\n");
    return yaml;
}

// Answers the call, letting the fake clock run past any wait's timeout.
void call_once(SupervisorRpc& rpc, Harness& h, std::string_view body) {
    int answers = 0;
    std::string response;
    Subscription pending = rpc.call(body, [&](std::string out) {
        ++answers;
        response = std::move(out);
    });
    for (int i = 0; i < 6 && answers == 0; ++i) h.advance(std::chrono::seconds(30));
    if (answers > 1) __builtin_trap();
    if (answers == 1 && response.find("<methodResponse>") == std::string::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t newline = input.find('\n');
    std::string_view path = input.substr(0, newline);
    std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

    Harness h(config());
    Operations operations(*h.supervisor, h.loop);
    SupervisorRpc rpc(operations);
    call_once(rpc, h, body);
    for (std::string_view method : {"GET", "HEAD", "POST"}) {
        HttpReply reply = route(operations, method, path);
        if (reply.status < 200 || reply.status > 599) __builtin_trap();
    }
    // Whatever was asked, every service is still known by name.
    for (const char* name : {"web", "api", "worker-0", "worker-1", "job"})
        if (!h.supervisor->services().find(name)) __builtin_trap();
    return 0;
}
