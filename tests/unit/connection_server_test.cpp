#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tend/control/connection_server.hpp"
#include "tend/control/socket_listener.hpp"

namespace unit_connection_server_test {

using namespace tend;

namespace {

// A ConnectionServer on a socket in a fresh directory, answering "re: LINE"
// unless told to hold its replies.
struct Rig {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("tend-connections-" + std::to_string(getpid()));
    std::string path = (dir / "s.sock").string();
    EventLoop loop;
    bool allow = true;
    bool hold = false;
    std::vector<std::uint64_t> closed;
    ConnectionServer server;

    explicit Rig(ControlLimits limits)
        : server(loop, "test", limits,
                 {[this](const Peer&) { return allow; },
                  [this](std::uint64_t id, std::string line) {
                      if (!hold) server.reply(id, "re: " + line + "\n");
                  },
                  [](const std::string& message) { return "error: " + message + "\n"; },
                  [this](std::uint64_t id) { closed.push_back(id); }}) {
        std::filesystem::create_directories(dir);
        server.listen_on(bind_listener(path, std::nullopt));
    }
    ~Rig() { std::filesystem::remove_all(dir); }

    UniqueFd connect() {
        UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path.c_str());
        REQUIRE(::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        return fd;
    }
    // Steps the loop until `fd` has something to read or is at EOF; returns what it read.
    std::string receive(int fd) {
        for (int i = 0; i < 200; ++i) {
            loop.run_once(std::chrono::milliseconds(10));
            char buffer[4096];
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n > 0) return std::string(buffer, static_cast<std::size_t>(n));
            if (n == 0) return "EOF";
        }
        return "";
    }
};

ControlLimits one_place() {
    ControlLimits limits;
    limits.max_clients = 1;
    limits.operator_reserve = 0;
    return limits;
}

}  // namespace

TEST_CASE("a peer that may not connect gets the protocol's refusal and no connection") {
    Rig rig{ControlLimits{}};
    rig.allow = false;
    UniqueFd client = rig.connect();
    CHECK(rig.receive(client.get()) == "error: permission denied\n");
    CHECK(rig.receive(client.get()) == "EOF");
    CHECK(rig.server.size() == 0);
}

TEST_CASE("lines reach the protocol by connection id and replies go back to that connection") {
    Rig rig{ControlLimits{}};
    UniqueFd a = rig.connect();
    UniqueFd b = rig.connect();
    REQUIRE(::write(a.get(), "one\n", 4) == 4);
    REQUIRE(::write(b.get(), "two\n", 4) == 4);
    CHECK(rig.receive(a.get()) == "re: one\n");
    CHECK(rig.receive(b.get()) == "re: two\n");
    CHECK(rig.server.size() == 2);
    a.reset();
    for (int i = 0; i < 50 && rig.closed.empty(); ++i) rig.loop.run_once(std::chrono::milliseconds(10));
    CHECK(rig.closed == std::vector<std::uint64_t>{1});
    CHECK(rig.server.size() == 1);
}

TEST_CASE("when full, the operator takes the place of an idle connection, but not of one awaiting a reply") {
    // The tests run as root: every peer is the operator.
    Rig rig{one_place()};
    UniqueFd first = rig.connect();
    REQUIRE(::write(first.get(), "hello\n", 6) == 6);
    CHECK(rig.receive(first.get()) == "re: hello\n");
    UniqueFd second = rig.connect();
    CHECK(rig.receive(first.get()) == "EOF");  // idle: evicted
    rig.hold = true;
    REQUIRE(::write(second.get(), "wait\n", 5) == 5);
    for (int i = 0; i < 5; ++i) rig.loop.run_once(std::chrono::milliseconds(10));
    UniqueFd third = rig.connect();
    CHECK(rig.receive(third.get()) == "error: too many clients\n");
    CHECK(rig.server.size() == 1);
}

}  // namespace unit_connection_server_test
