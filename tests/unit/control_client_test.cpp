#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "tend/control/client.hpp"
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
    UniqueFd listener{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};

    FakeTend() {
        REQUIRE(listener);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        REQUIRE(bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(listen(listener.get(), 4) == 0);
    }

    UniqueFd accept_one() {
        UniqueFd peer{accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
        REQUIRE(peer);
        return peer;
    }
};

// Writes `bytes` (blocking) until done or the client closes; returns how many went.
std::size_t write_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the client stopped reading and closed
        sent += static_cast<std::size_t>(n);
    }
    return sent;
}

std::string refusal_of(ControlClient& client) {
    try {
        client.request("status", nlohmann::json::object());
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("a reply that runs past the longest line taken is refused, naming the socket, before it is all read") {
    FakeTend tend;
    const std::size_t limit = 256 * 1024;
    std::optional<ControlClient> client(std::in_place, tend.path, limit);
    UniqueFd peer = tend.accept_one();
    // Sixteen times the limit and no line end: the client stops reading past the
    // limit, and this sender's send fails once the client's socket is closed.
    const std::string endless(16 * limit, 'x');
    std::size_t sent = 0;
    std::thread sender([&] { sent = write_all(peer.get(), endless); });
    const std::string error = refusal_of(*client);
    client.reset();
    sender.join();
    CHECK(error == "the reply from " + tend.path + " has no line end in its first 262144 bytes: " +
                       "not tend's control socket, or a broken tend");
    // What was read (the limit and one chunk) plus both sockets' kernel buffers.
    CHECK(sent < endless.size() / 2);
}

TEST_CASE("a reply as long as the limit, with its line end, is taken whole") {
    FakeTend tend;
    const std::size_t limit = 256 * 1024;
    ControlClient client(tend.path, limit);
    UniqueFd peer = tend.accept_one();
    const std::string prefix = R"({"ok":true,"result":")";
    const std::string suffix = R"("})";
    const std::string padding(limit - prefix.size() - suffix.size(), 'a');
    std::thread sender([&] { write_all(peer.get(), prefix + padding + suffix + "\n"); });
    nlohmann::json reply = client.request("status", nlohmann::json::object());
    sender.join();
    CHECK(reply["ok"] == true);
    CHECK(reply["result"].get<std::string>().size() == padding.size());
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
        CHECK(refusal_of(client) == "tend closed the connection before the request was sent");
    }
    {
        ControlClient client(tend.path);
        UniqueFd peer = tend.accept_one();
        std::string request;
        std::thread reader([&] {
            request = request_of(peer.get());
            peer.reset();
        });
        const std::string error = refusal_of(client);
        reader.join();
        CHECK(request == R"({"args":{},"cmd":"status"})");
        CHECK(error == "tend closed the connection without a reply");
    }
    for (const char* reply : {"[1,2,3]\n", "{\"ok\":tru\n", "\n"}) {
        ControlClient client(tend.path);
        UniqueFd peer = tend.accept_one();
        write_all(peer.get(), reply);
        CHECK(refusal_of(client) == "tend sent an invalid reply");
    }
}

}  // namespace unit_control_client_test
