#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tend/control/protocol.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/event/stream_connection.hpp"

namespace unit_stream_connection_test {

using namespace tend;

namespace {

// One connection over a socketpair: `peer` is the client's end (non-blocking,
// so a test never waits on it), the connection serves the other on `loop`.
struct End {
    EventLoop& loop;
    UniqueFd peer;
    std::unique_ptr<StreamConnection> connection;
    std::vector<std::string> lines;
    bool answer_at_once = true;  // else the test answers with connection->reply()
    bool closed = false;

    End(EventLoop& loop_, StreamLimits limits = {}, std::uint64_t id = 1) : loop(loop_) {
        int fds[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) == 0);
        peer.reset(fds[1]);
        StreamConnection::Hooks hooks{
            [this](StreamConnection& c, std::string line) {
                lines.push_back(line);
                if (answer_at_once) c.reply("re: " + line + "\n");
            },
            // The control server's framing, so the bytes are the ones its clients get.
            [](const std::string& message) { return encode_error(message); },
            [this](StreamConnection&) { closed = true; },
        };
        connection = std::make_unique<StreamConnection>(loop, UniqueFd(fds[0]), id, "test client", limits, hooks);
    }

    // What the socket does not take at once goes as the connection reads.
    void send(const std::string& bytes) {
        std::size_t done = 0;
        for (int turns = 0; done < bytes.size(); ++turns) {
            REQUIRE(turns < 1000);
            ssize_t n = ::send(peer.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n > 0) done += static_cast<std::size_t>(n);
            else if (errno == EPIPE || errno == ECONNRESET) return;  // the connection dropped us
            else loop.run_once(std::chrono::milliseconds(10));
        }
    }
    std::string received() {
        std::string out;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(peer.get(), buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
        return out;
    }
    // After received(): whether the connection's side is closed (EOF), not just quiet.
    bool at_eof() {
        char byte;
        return ::read(peer.get(), &byte, 1) == 0;
    }
};

// Steps the loop until `done` holds, at most 1000 dispatches.
template <typename Done>
bool step_until(EventLoop& loop, Done done) {
    for (int i = 0; i < 1000 && !done(); ++i) loop.run_once(std::chrono::milliseconds(10));
    return done();
}

void step(EventLoop& loop, int turns) {
    for (int i = 0; i < turns; ++i) loop.run_once(std::chrono::milliseconds(0));
}

StreamLimits control_like() {
    StreamLimits limits;
    limits.max_line_bytes = kMaxRequestBytes;
    return limits;
}

}  // namespace

TEST_CASE("a request written one byte at a time is handed over once, whole, when its newline arrives") {
    EventLoop loop;
    End end(loop);
    const std::string request = "{\"cmd\":\"status\"}\r\n";
    for (char byte : request) {
        CHECK(end.lines.empty());
        end.send(std::string(1, byte));
        step(loop, 3);
    }
    REQUIRE(end.lines == std::vector<std::string>{"{\"cmd\":\"status\"}"});
    CHECK(end.received() == "re: {\"cmd\":\"status\"}\n");
    CHECK(end.connection->state() == StreamState::reading);
}

TEST_CASE("lines that arrive while a reply is pending wait for it, then are handed over in order") {
    EventLoop loop;
    End end(loop);
    end.answer_at_once = false;
    end.send("wait\nstatus\n");
    REQUIRE(step_until(loop, [&] { return !end.lines.empty(); }));
    step(loop, 5);
    CHECK(end.lines == std::vector<std::string>{"wait"});
    CHECK(end.connection->state() == StreamState::handling);
    end.connection->reply("done\n");
    CHECK(end.lines == std::vector<std::string>{"wait", "status"});
    CHECK(end.connection->state() == StreamState::handling);
    end.connection->reply("ok\n");
    CHECK(end.received() == "done\nok\n");
}

TEST_CASE("a line over the limit is refused with the control server's error, then the connection closes") {
    const std::string refusal = "{\"error\":\"request too large (over 64 KiB)\",\"ok\":false}\n";
    EventLoop loop;
    SUBCASE("without its newline") {
        End end(loop, control_like());
        end.send(std::string(70000, 'x'));
        REQUIRE(step_until(loop, [&] { return end.closed; }));
        CHECK(end.lines.empty());
        CHECK(end.received() == refusal);
        CHECK(end.at_eof());
    }
    SUBCASE("with its newline, after a line of exactly the limit that is handed over") {
        End end(loop, control_like());
        end.send(std::string(kMaxRequestBytes, 'a') + "\n" + std::string(kMaxRequestBytes + 1, 'b') + "\n");
        REQUIRE(step_until(loop, [&] { return end.closed; }));
        REQUIRE(end.lines.size() == 1);
        CHECK(end.lines[0].size() == kMaxRequestBytes);
        std::string got = end.received();
        CHECK(got.size() == 4 + kMaxRequestBytes + 1 + refusal.size());
        CHECK(got.substr(got.size() - refusal.size()) == refusal);
        CHECK(end.at_eof());
    }
}

TEST_CASE("a peer that sends more than max_pending_input behind a pending reply is told so and dropped") {
    EventLoop loop;
    StreamLimits limits;
    limits.max_pending_input = 100 * 1024;
    End end(loop, limits);
    end.answer_at_once = false;
    end.send("{\"cmd\":\"wait\"}\n");
    REQUIRE(step_until(loop, [&] { return !end.lines.empty(); }));
    std::string burst;
    while (burst.size() <= limits.max_pending_input) burst += "{\"cmd\":\"status\"}\n";
    end.send(burst);
    REQUIRE(step_until(loop, [&] { return end.closed; }));
    CHECK(end.lines.size() == 1);
    CHECK(end.received() == "{\"error\":\"too many requests waiting; closing\",\"ok\":false}\n");
}

TEST_CASE("a slow reader's output is bounded and it does not hold the loop from another connection") {
    EventLoop loop;
    StreamLimits limits;
    limits.max_output_bytes = 512 * 1024;
    End slow(loop, limits, 1);
    End other(loop, limits, 2);
    slow.connection->stream();
    const std::string chunk(64 * 1024, 'l');
    // Past what the kernel takes, the rest waits in the connection's buffer.
    auto start = std::chrono::steady_clock::now();
    int sent = 0;
    while (slow.connection->pending_output() < 256 * 1024) {
        slow.connection->reply(chunk);
        REQUIRE(++sent < 100);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));  // non-blocking, never waiting
    CHECK(slow.connection->state() == StreamState::reading);
    other.send("ping\n");
    REQUIRE(step_until(loop, [&] { return !other.lines.empty(); }));
    CHECK(other.received() == "re: ping\n");
    CHECK_FALSE(slow.closed);
    // Past max_output_bytes waiting, the slow reader is dropped; the other stays.
    for (int i = 0; i < 16 && !slow.closed; ++i) slow.connection->reply(chunk);
    CHECK(slow.closed);
    CHECK(slow.connection->state() == StreamState::closed);
    CHECK_FALSE(other.closed);
}

TEST_CASE("a peer that vanishes mid-request is closed without its partial line being handed over") {
    EventLoop loop;
    End end(loop);
    end.send("{\"cmd\":\"sta");
    step(loop, 3);
    end.peer.reset();
    REQUIRE(step_until(loop, [&] { return end.closed; }));
    CHECK(end.lines.empty());
}

TEST_CASE("a peer that vanishes mid-reply is closed, without SIGPIPE, whether the reply is late or half written") {
    EventLoop loop;
    End end(loop);
    end.answer_at_once = false;
    end.send("wait\n");
    REQUIRE(step_until(loop, [&] { return !end.lines.empty(); }));
    SUBCASE("the reply comes after the peer left") {
        end.peer.reset();
        step(loop, 5);
        end.connection->reply(std::string(1024, 'r') + "\n");
    }
    SUBCASE("the peer leaves with the reply half written") {
        end.connection->reply(std::string(1024 * 1024, 'r') + "\n");
        CHECK(end.connection->pending_output() > 0);
        end.peer.reset();
        REQUIRE(step_until(loop, [&] { return end.closed; }));
    }
    CHECK(end.closed);
    CHECK(end.connection->state() == StreamState::closed);
}

TEST_CASE("a peer that shuts down its sending side gets its answers, then the connection closes") {
    EventLoop loop;
    End end(loop);
    end.send("one\ntwo\n");
    REQUIRE(shutdown(end.peer.get(), SHUT_WR) == 0);
    REQUIRE(step_until(loop, [&] { return end.closed; }));
    CHECK(end.received() == "re: one\nre: two\n");
    CHECK(end.at_eof());
}

TEST_CASE("one connection's pipelined burst takes a share of each turn, so another's request is not starved") {
    EventLoop loop;
    StreamLimits limits;
    End busy(loop, limits, 1);
    End quiet(loop, limits, 2);
    std::string burst;
    for (int i = 0; i < 1000; ++i) burst += "a\n";
    busy.send(burst);
    REQUIRE(step_until(loop, [&] { return !busy.lines.empty(); }));
    CHECK(busy.lines.size() == limits.lines_per_turn);
    quiet.send("b\n");
    REQUIRE(step_until(loop, [&] { return !quiet.lines.empty(); }));
    CHECK(busy.lines.size() <= 2 * limits.lines_per_turn);
    REQUIRE(step_until(loop, [&] { return busy.lines.size() == 1000; }));
    CHECK(busy.received().size() == 1000 * 6);
    CHECK_FALSE(busy.closed);
}

TEST_CASE("an idle connection closes after idle_timeout, a streaming one never does") {
    EventLoop loop;
    StreamLimits limits;
    limits.idle_timeout = std::chrono::milliseconds(20);
    End idle(loop, limits, 1);
    End streaming(loop, limits, 2);
    streaming.connection->stream();
    REQUIRE(step_until(loop, [&] { return idle.closed; }));
    CHECK(idle.at_eof());
    step(loop, 5);
    CHECK_FALSE(streaming.closed);
}

}  // namespace unit_stream_connection_test
