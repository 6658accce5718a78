#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <thread>

#include "tend/control/client.hpp"
#include "tend/control/socket_listener.hpp"
#include "tend/util/unique_fd.hpp"
#include "temp_dir.hpp"

namespace unit_control_client_test {

using namespace tend;
using tend::test::TempDir;

namespace {

// A listening unix socket that stands in for tend: the client connects (the
// kernel queues it without an accept), then the test accepts and answers.
struct FakeTend {
    TempDir dir;
    std::string path = (dir.path / "tend.sock").string();
    UniqueFd listener = bind_listener(path, std::nullopt, "fake tend's socket");

    UniqueFd accept_one() {
        UniqueFd peer{accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        REQUIRE(peer);
        // A small send buffer, so what the kernel holds for a client that
        // stopped reading does not depend on this machine's defaults.
        int size = 16 * 1024;
        REQUIRE(setsockopt(peer.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0);
        return peer;
    }
};

// Writes `bytes` (blocking) until done or the client closes, then ends the
// stream, so a client that wrongly waits for more sees the end instead of
// hanging the test; returns how many bytes went.
std::size_t write_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the client stopped reading and closed
        sent += static_cast<std::size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    return sent;
}

// The request's outcome as text: the error, or the reply's "result" when it is a string.
std::string outcome_of(ControlClient& client) {
    try {
        nlohmann::json reply = client.request("status", nlohmann::json::object());
        return "result of " + std::to_string(reply.value("result", std::string()).size()) + " bytes";
    } catch (const std::exception& e) {
        return e.what();
    }
}

// A reply line of exactly `length` bytes before its line end.
std::string reply_line(std::size_t length) {
    const std::string prefix = R"({"ok":true,"result":")";
    const std::string suffix = R"("})";
    return prefix + std::string(length - prefix.size() - suffix.size(), 'a') + suffix + "\n";
}

// Sends `bytes` from another thread while the client reads; the outcome of its request.
std::string outcome_with_reply(FakeTend& tend, std::size_t limit, const std::string& bytes, std::size_t* sent = nullptr) {
    std::optional<ControlClient> client(std::in_place, tend.path, limit);
    UniqueFd peer = tend.accept_one();
    std::size_t went = 0;
    std::thread sender([&] { went = write_all(peer.get(), bytes); });
    std::string outcome = outcome_of(*client);  // never throws, so the thread is always joined
    client.reset();  // closes the socket: a sender blocked on a full buffer returns
    sender.join();
    if (sent) *sent = went;
    return outcome;
}

const std::string kTooLong = " has no line end in its first 262144 bytes: not tend's control socket, or a broken tend";

}  // namespace

TEST_CASE("a reply that runs past the longest line taken is refused, naming the socket, before it is all read") {
    FakeTend tend;
    const std::size_t limit = 256 * 1024;
    // Sixteen times the limit and no line end: the client stops reading past the
    // limit, and the sender's send fails once the client's socket is closed.
    const std::string endless(16 * limit, 'x');
    std::size_t sent = 0;
    CHECK(outcome_with_reply(tend, limit, endless, &sent) == "the reply from " + tend.path + kTooLong);
    // What was read (the limit and one chunk) plus both sockets' kernel buffers.
    CHECK(sent < endless.size() / 2);
}

TEST_CASE("a reply line as long as the limit is taken whole, one byte longer is refused however it arrives") {
    FakeTend tend;
    const std::size_t limit = 256 * 1024;
    CHECK(outcome_with_reply(tend, limit, reply_line(limit)) == "result of " + std::to_string(limit - 23) + " bytes");
    // The line end arrives in the read that crosses the limit: refused all the same.
    CHECK(outcome_with_reply(tend, limit, reply_line(limit + 1)) == "the reply from " + tend.path + kTooLong);
}

// Reads the client's request line, as tend would before answering.
std::string request_of(int fd) {
    std::string line;
    char c;
    while (recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
    return line;
}

TEST_CASE("a peer that closes before or after the request, or answers what is not a JSON object, is named as such") {
    FakeTend tend;
    {
        ControlClient client(tend.path);
        tend.accept_one();  // accepted and closed at once: the request cannot go
        CHECK(outcome_of(client) == "tend closed the connection before the request was sent");
    }
    {
        ControlClient client(tend.path);
        UniqueFd peer = tend.accept_one();
        std::string request;
        std::thread reader([&] {
            request = request_of(peer.get());
            peer.reset();
        });
        const std::string outcome = outcome_of(client);
        reader.join();
        CHECK(request == R"({"args":{},"cmd":"status"})");
        CHECK(outcome == "tend closed the connection without a reply");
    }
    for (const char* reply : {"[1,2,3]\n", "{\"ok\":tru\n", "\n"}) {
        ControlClient client(tend.path);
        UniqueFd peer = tend.accept_one();
        write_all(peer.get(), reply);
        CHECK(outcome_of(client) == "tend sent an invalid reply");
    }
}

}  // namespace unit_control_client_test
