#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "fake_process_host.hpp"
#include "tend/supervisor/probe_attempt.hpp"

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

std::optional<ProbeResult> run(EventLoop& loop, ProbeAttempt& attempt, std::optional<ProbeResult>& result) {
    for (int i = 0; i < 200 && !result; ++i) loop.run_once(10ms);
    (void)attempt;
    return result;
}

}  // namespace

TEST_CASE("an HTTP status line gives its code") {
    CHECK(http_status("HTTP/1.1 204 No Content\r\n") == 204);
    CHECK(http_status("HTTP/1.0 503 Service Unavailable") == 503);
    CHECK(http_status("HTTP/1.1 2") == 0);
    CHECK(http_status("SSH-2.0-OpenSSH") == 0);
    CHECK(http_status("") == 0);
}

TEST_CASE("probe output is one printable line, cut to its limit") {
    CHECK(trim_probe_output("connection refused\n\ttry again\n") == "connection refused try again");
    CHECK(trim_probe_output(std::string("a\0b\x1b[31mc", 9)) == "ab[31mc");
    CHECK(trim_probe_output(std::string(500, 'x')).size() == 200);
}

TEST_CASE("a command probe runs like the service and passes on exit 0") {
    EventLoop loop;
    FakeProcessHost host;
    SpawnRequest like;
    like.environment = {"PGUSER=app"};
    like.working_dir = "/srv";
    std::optional<ProbeResult> result;
    ProbeAttempt attempt(loop, host, exec_probe(), like, [&](ProbeResult r) { result = r; });
    REQUIRE(attempt.pid() > 0);
    CHECK(host.spawned.back().second == "check");
    attempt.exited(ExitStatus::exited(0));
    REQUIRE(result.has_value());
    CHECK(result->ok);
    CHECK(result->output == "exit code 0");
}

TEST_CASE("a failing command probe fails with its exit status") {
    EventLoop loop;
    FakeProcessHost host;
    std::optional<ProbeResult> result;
    ProbeAttempt attempt(loop, host, exec_probe(), {}, [&](ProbeResult r) { result = r; });
    attempt.exited(ExitStatus::killed(9));
    REQUIRE(result.has_value());
    CHECK_FALSE(result->ok);
    CHECK(result->output == "signal SIGKILL");
}

TEST_CASE("a command still running at its timeout fails and is killed") {
    EventLoop loop;
    FakeProcessHost host;
    host.ignore_stop_signals = {"check"};
    std::optional<ProbeResult> result;
    ProbeAttempt attempt(loop, host, exec_probe(0ms), {}, [&](ProbeResult r) { result = r; });
    pid_t pid = attempt.pid();
    run(loop, attempt, result);
    REQUIRE(result.has_value());
    CHECK_FALSE(result->ok);
    CHECK(result->output == "timed out after 0s");
    auto signals = host.signals_to(pid);
    CHECK(std::find(signals.begin(), signals.end(), SIGKILL) != signals.end());
}

TEST_CASE("a tcp probe passes when something listens and fails when nothing does") {
    EventLoop loop;
    FakeProcessHost host;
    int closed_port = 0;
    {
        Listener l;
        std::optional<ProbeResult> result;
        ProbeAttempt attempt(loop, host, tcp_probe(l.port), {}, [&](ProbeResult r) { result = r; });
        run(loop, attempt, result);
        REQUIRE(result.has_value());
        CHECK(result->ok);
        CHECK(result->output == "connected");
        closed_port = l.port;
    }
    std::optional<ProbeResult> result;
    ProbeAttempt attempt(loop, host, tcp_probe(closed_port), {}, [&](ProbeResult r) { result = r; });
    run(loop, attempt, result);
    REQUIRE(result.has_value());
    CHECK_FALSE(result->ok);
    CHECK(result->output == "connect: Connection refused");
}

TEST_CASE("an http probe reads the status line of the reply") {
    EventLoop loop;
    FakeProcessHost host;
    Listener l;
    ProbeSpec p = tcp_probe(l.port);
    p.kind = ProbeSpec::Kind::http;
    p.path = "/healthz";
    std::optional<ProbeResult> result;
    ProbeAttempt attempt(loop, host, p, {}, [&](ProbeResult r) { result = r; });
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
    CHECK(request.starts_with("GET /healthz HTTP/1.0\r\n"));
    std::string reply = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
    CHECK(write(client, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()));
    run(loop, attempt, result);
    close(client);
    REQUIRE(result.has_value());
    CHECK_FALSE(result->ok);
    CHECK(result->output == "HTTP 503");
}
