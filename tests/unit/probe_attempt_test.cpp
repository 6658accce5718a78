#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "fake_process_host.hpp"
#include "tend/event/loop_clock.hpp"
#include "tend/supervisor/probe_attempt.hpp"

namespace unit_probe_attempt_test {

using namespace tend;
using namespace std::chrono_literals;

namespace {

ProbeSpec exec_probe(Duration timeout = 5s) {
    ProbeSpec p;
    p.kind = ProbeSpec::Kind::exec;
    p.argv = {"check", "--quick"};
    p.timeout = timeout;
    return p;
}

ProbeSpec tcp_probe(int port) {
    ProbeSpec p;
    p.kind = ProbeSpec::Kind::tcp;
    p.host = "127.0.0.1";
    p.port = port;
    return p;
}

// A listening socket on an ephemeral port of 127.0.0.1.
struct Listener {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port = 0;
    Listener() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(listen(fd, 4) == 0);
        socklen_t len = sizeof a;
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~Listener() { close(fd); }
};

// A loop and a fake host to run attempts on, and the result of the last one.
struct Probing {
    EventLoop loop;
    LoopClock clock{loop};  // real timeouts: the commands and sockets are real
    FakeProcessHost host;
    std::optional<ProbeResult> result;

    std::unique_ptr<ProbeAttempt> start(const ProbeSpec& spec, const SpawnRequest& like = {}) {
        result.reset();
        return std::make_unique<ProbeAttempt>(loop, clock, host, spec, like, [this](ProbeResult r) { result = r; });
    }
    // Steps the loop until the attempt has a result (or two seconds pass).
    const ProbeResult& finish() {
        for (int i = 0; i < 200 && !result; ++i) loop.run_once(10ms);
        REQUIRE(result.has_value());
        return *result;
    }
};

}  // namespace

TEST_CASE("an HTTP status line gives its code") {
    CHECK(http_status("HTTP/1.1 204 No Content\r\n") == 204);
    CHECK(http_status("HTTP/1.0 503 Service Unavailable") == 503);
    CHECK(http_status("HTTP/1.1 200\r\n") == 200);
    CHECK(http_status("HTTP/1.1 200\n") == 200);
    CHECK(http_status("HTTP/1.1 200") == 200);
    CHECK(http_status("HTTP/2.0 599 \r\n") == 599);
    CHECK(http_status("HTTP/1.1 2") == 0);
    CHECK(http_status("SSH-2.0-OpenSSH") == 0);
    CHECK(http_status("") == 0);
}

TEST_CASE("a code outside 100 to 599 or not of three digits is no HTTP status") {
    // The fuzz target's finding: "HTTP/1.1 099" gave 99, a code no server sends.
    CHECK(http_status("HTTP/1.1 099 Odd\r\n") == 0);
    CHECK(http_status("HTTP/1.1 000") == 0);
    CHECK(http_status("HTTP/1.1 600 Too High") == 0);
    CHECK(http_status("HTTP/1.1 2000 OK") == 0);
    CHECK(http_status("HTTP/1.1\r\n 200 OK") == 0);
    CHECK(http_status("HTTP/1.1 100 Continue") == 100);
    CHECK(http_status("HTTP/1.1 599") == 599);
}

TEST_CASE("anything but HTTP/d.d and three digits, then a space or the line's end, is no status line") {
    for (const char* lie : {"HTTP/1.1 2000", "HTTP/1.1 2000 OK\r\n", "XHTTP/1.1 200 OK", " HTTP/1.1 200", "HTTP/1.1 20",
                            "HTTP/1.1 20 OK", "HTTP/1.1  200 OK", "HTTP/1.1\t200 OK", "HTTP/11 200 OK", "HTTP/1.10 200 OK",
                            "HTTP/1 200 OK", "HTTP/a.b 200 OK", "HTTP/1.1 2x0 OK", "HTTP/1.1 200OK", "HTTP/1.1 200\r",
                            "HTTP/1.1 200\rX", "HTTP/1.1 099 Low", "HTTP/1.1 -20 OK", "http/1.1 200 OK", "HTTP/1.1 +200"})
        CHECK_MESSAGE(http_status(lie) == 0, lie);
}

TEST_CASE("probe output is one printable line, cut to its limit") {
    CHECK(trim_probe_output("connection refused\n\ttry again\n") == "connection refused try again");
    CHECK(trim_probe_output(std::string("a\0b\x1b[31mc", 9)) == "ab[31mc");
    CHECK(trim_probe_output(std::string(500, 'x')).size() == 200);
}

TEST_CASE("a command probe runs like the service and passes on exit 0") {
    Probing p;
    SpawnRequest like;
    like.environment = {"PGUSER=app"};
    auto attempt = p.start(exec_probe(), like);
    REQUIRE(attempt->pid() > 0);
    CHECK(p.host.spawned.back().second == "check");
    attempt->exited(ExitStatus::exited(0));
    CHECK(p.finish().ok);
    CHECK(p.result->output == "exit code 0");
}

TEST_CASE("what a command probe leaves in its group is killed when it exits") {
    Probing p;
    auto attempt = p.start(exec_probe());
    pid_t pid = attempt->pid();
    attempt->exited(ExitStatus::exited(0));
    CHECK(p.finish().ok);
    CHECK(p.host.sent.back() == FakeProcessHost::Sent{-pid, SIGKILL});
}

TEST_CASE("a failing command probe fails with its exit status") {
    Probing p;
    auto attempt = p.start(exec_probe());
    attempt->exited(ExitStatus::killed(9));
    CHECK_FALSE(p.finish().ok);
    CHECK(p.result->output == "signal SIGKILL");
}

TEST_CASE("a command still running at its timeout fails and is killed") {
    Probing p;
    p.host.ignore_stop_signals = {"check"};
    auto attempt = p.start(exec_probe(0ms));
    pid_t pid = attempt->pid();
    CHECK_FALSE(p.finish().ok);
    CHECK(p.result->output == "timed out after 0s");
    auto signals = p.host.signals_to(pid);
    CHECK(std::find(signals.begin(), signals.end(), SIGKILL) != signals.end());
}

TEST_CASE("a command killed at its timeout has what left its session but holds its output killed too") {
    // `(setsid sleep 100 &)`: the sleep's parent is gone, so it is tend's child,
    // found by the pipe it holds; once the attempt is over the pipe is closed.
    Probing p;
    p.host.ignore_stop_signals = {"check"};
    auto attempt = p.start(exec_probe(0ms));
    p.host.holders = {4242};
    CHECK_FALSE(p.finish().ok);
    const auto& sent = p.host.sent;
    CHECK(std::find(sent.begin(), sent.end(), FakeProcessHost::Sent{4242, SIGKILL}) != sent.end());
}

TEST_CASE("a tcp probe passes when something listens and fails when nothing does") {
    Probing p;
    int closed_port = 0;
    {
        Listener l;
        auto attempt = p.start(tcp_probe(l.port));
        CHECK(p.finish().ok);
        CHECK(p.result->output == "connected");
        closed_port = l.port;
    }
    auto attempt = p.start(tcp_probe(closed_port));
    CHECK_FALSE(p.finish().ok);
    CHECK(p.result->output == "connect: Connection refused");
}

namespace {

// An http probe against a server that answers `reply` and closes: the request it saw, and the probe's result.
std::pair<std::string, ProbeResult> http_probe_answered(const std::string& reply) {
    Probing p;
    EventLoop& loop = p.loop;
    Listener l;
    ProbeSpec spec = tcp_probe(l.port);
    spec.kind = ProbeSpec::Kind::http;
    spec.path = "/healthz";
    auto attempt = p.start(spec);
    int client = -1;
    for (int i = 0; i < 100 && client < 0; ++i) {
        loop.run_once(10ms);
        client = accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    }
    REQUIRE(client >= 0);
    std::string request;
    for (int i = 0; i < 100 && request.find("\r\n\r\n") == std::string::npos; ++i) {
        loop.run_once(10ms);
        char buffer[512];
        ssize_t n = read(client, buffer, sizeof buffer);
        if (n > 0) request.append(buffer, static_cast<std::size_t>(n));
    }
    CHECK(write(client, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()));
    close(client);
    return {request, p.finish()};
}

}  // namespace

TEST_CASE("an http probe reads the status line of the reply") {
    auto [request, result] = http_probe_answered("HTTP/1.1 503 Service Unavailable\r\n\r\n");
    CHECK(request.starts_with("GET /healthz HTTP/1.0\r\n"));
    CHECK_FALSE(result.ok);
    CHECK(result.output == "HTTP 503");
    CHECK(http_probe_answered("HTTP/1.0 204\r\n\r\n").second.ok);
}

TEST_CASE("an http probe does not believe a server whose status line is no status line") {
    for (const char* lie : {"HTTP/1.1 2000 OK\r\n\r\n", "XHTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1 20\r\n\r\n"}) {
        const ProbeResult result = http_probe_answered(lie).second;
        CHECK_MESSAGE(!result.ok, lie);
        CHECK(result.output == "no HTTP status line in the reply");
    }
}

}  // namespace unit_probe_attempt_test
