#include "tend/supervisor/probe_attempt.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tend {
namespace {

constexpr std::size_t kMaxReply = 4096;

// A numeric address, or localhost; names are refused by the config (a lookup would block the loop).
bool make_address(const std::string& host, int port, sockaddr_storage& out, socklen_t& size) {
    std::string numeric = host == "localhost" ? "127.0.0.1" : host;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    if (inet_pton(AF_INET, numeric.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        size = sizeof *v4;
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (inet_pton(AF_INET6, numeric.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        size = sizeof *v6;
        return true;
    }
    return false;
}

// A pipe's read end reports a hangup once no process holds its write end.
bool all_writers_gone(int read_end) {
    pollfd p{read_end, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) != 0;
}

}  // namespace

// RFC 9110 15: a status code is three digits, 100 to 599; anything else (a
// "099", a "2000", a "600") is not an HTTP status line, so not an answer.
int http_status(std::string_view reply) {
    auto digit = [&](std::size_t i) { return i < reply.size() && reply[i] >= '0' && reply[i] <= '9'; };
    // "HTTP/" DIGIT "." DIGIT SP 3DIGIT, as RFC 9112 writes a status line; a
    // server that writes anything else is not believed, whatever number it shows.
    if (!reply.starts_with("HTTP/") || !digit(5) || reply.substr(6, 1) != "." || !digit(7) || reply.substr(8, 1) != " ")
        return 0;
    if (!digit(9) || !digit(10) || !digit(11) || reply[9] < '1' || reply[9] > '5') return 0;
    // Then the reason phrase after a space, or the line's end (CRLF, or LF, which
    // RFC 9112 lets a recipient take as one), or the end of the reply.
    const std::string_view after = reply.substr(12);
    if (!after.empty() && after[0] != ' ' && !after.starts_with("\r\n") && after[0] != '\n') return 0;
    return (reply[9] - '0') * 100 + (reply[10] - '0') * 10 + (reply[11] - '0');
}

std::string trim_probe_output(std::string_view text, std::size_t limit) {
    std::string out;
    for (char c : text) {
        if (out.size() >= limit) break;
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r' || c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else if (u >= 0x20 && u != 0x7f) {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

ProbeAttempt::ProbeAttempt(EventLoop& loop, Clock& clock, ProcessHost& host, const ProbeSpec& probe, const SpawnRequest& like,
                           Done done)
    : loop_(loop), clock_(clock), host_(host), probe_(probe), done_(std::move(done)), began_(clock.now()) {
    timer_ = clock_.timer([this] { on_timeout(); });
    timer_->arm(probe_.timeout);
    if (probe_.kind == ProbeSpec::Kind::exec) start_command(like);
    else start_socket();
}

void ProbeAttempt::fail_soon(std::string why) {
    early_failure_ = std::move(why);
    timer_->arm(Duration{0});
}

ProbeAttempt::~ProbeAttempt() {
    // A command still running is killed; its exit is reaped later and, being
    // registered as a probe's pid, is not taken for an orphan.
    kill_running();
}

void ProbeAttempt::start_command(SpawnRequest request) {
    // A pipe, not a file: tend keeps the first kKeptOutput bytes and drains the
    // rest into nothing, so a probe that prints without end costs no memory. A
    // memfd would grow with every write (a seal that stops it growing turns
    // the probe's own writes into errors, changing what it reports).
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        fail_soon(std::string("failed to create the probe's output pipe: ") + std::strerror(errno));
        return;
    }
    output_.reset(fds[0]);
    UniqueFd write_end(fds[1]);
    // The command's end blocks like any pipe; only tend's end must not.
    if (fcntl(write_end.get(), F_SETFL, 0) < 0) {
        fail_soon(std::string("failed to set up the probe's output pipe: ") + std::strerror(errno));
        return;
    }
    request.argv = probe_.argv;
    request.new_session = true;  // its own session and group: what it leaves behind is found by them
    request.take_terminal = false;
    request.stdin_fd = -1;
    request.stdout_fd = request.stderr_fd = write_end.get();
    request.pass_fd = request.pass_fd_as = -1;
    SpawnResult result = host_.spawn(request);
    if (!result.ok()) {
        fail_soon(result.what);
        return;
    }
    pid_ = result.pid;
    scope_ = result.scope;
    output_watch_ = loop_.add_io(output_.get(), EPOLLIN, [this](uint32_t) { read_output(kReadsPerWakeup); });
}

void ProbeAttempt::exited(const ExitStatus& status) {
    pid_ = 0;
    // Its group and session die with it, as a cgroup's processes would: `sleep 100 &`
    // in a probe that runs every few seconds must not pile up.
    kill_leftovers();
    if (finished_) return;
    std::string said = command_output();
    bool ok = !status.signaled && status.value == 0;
    finish(ok, said.empty() ? status.describe() : status.describe() + ": " + said);
}

void ProbeAttempt::kill_running() {
    if (pid_ <= 0) return;
    // Descendants that left its scope (setsid) can only be found while it
    // lives; they are noted in a copy: once killed and reaped, their pids may
    // be reused before the leftovers are killed.
    Scope with_escaped = scope_;
    host_.note_escaped(pid_, with_escaped);
    host_.signal(with_escaped, SIGKILL);
    // Those whose parent has already gone are tend's children now: found by
    // the pipe they hold, which is closed once the attempt is finished.
    kill_escaped_holders();
}

void ProbeAttempt::kill_leftovers() {
    if (scope_.empty()) return;
    // The group's and session's numbers are not reused while any member lives.
    host_.signal(scope_, SIGKILL);
    // The rest is looked for only while something still holds its output (the
    // usual probe leaves nothing): the scans read /proc.
    if (output_ && !all_writers_gone(output_.get())) kill_escaped_holders();
    scope_ = {};
}

void ProbeAttempt::kill_escaped_holders() {
    if (!output_ || scope_.empty()) return;
    // Members of its session outside its group, and those that left the session
    // (setsid), adopted by tend once their parent was gone: the pipe they hold
    // says where they came from.
    for (pid_t pid : host_.session_members(scope_)) host_.signal(pid, SIGKILL);
    for (pid_t pid : host_.holding(output_.get())) host_.signal(pid, SIGKILL);
}

void ProbeAttempt::read_output(int max_reads) {
    // One buffer for every attempt: the loop runs one callback at a time.
    static char buffer[64 * 1024];
    for (int i = 0; i < max_reads && output_; ++i) {
        ssize_t n = read(output_.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {  // every writer is gone (or the pipe failed): nothing more to read
            output_watch_.reset();
            output_.reset();
            return;
        }
        std::size_t room = kKeptOutput - std::min(kKeptOutput, kept_.size());
        kept_.append(buffer, std::min(room, static_cast<std::size_t>(n)));
    }
}

std::string ProbeAttempt::command_output() {
    // What is still in the pipe, bounded: a writer left behind cannot hold the loop.
    read_output(kReadsAtExit);
    output_watch_.reset();
    output_.reset();
    return trim_probe_output(kept_);
}

void ProbeAttempt::start_socket() {
    sockaddr_storage address{};
    socklen_t size = 0;
    if (!make_address(probe_.host, probe_.port, address, size)) {
        fail_soon("not an IP address: " + probe_.host);
        return;
    }
    socket_.reset(socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket_) {
        fail_soon(std::string("socket: ") + std::strerror(errno));
        return;
    }
    if (connect(socket_.get(), reinterpret_cast<sockaddr*>(&address), size) < 0 && errno != EINPROGRESS) {
        fail_soon(std::string("connect: ") + std::strerror(errno));
        return;
    }
    if (probe_.kind == ProbeSpec::Kind::http)
        request_ = "GET " + probe_.path + " HTTP/1.0\r\nHost: " + probe_.host + ":" + std::to_string(probe_.port) +
                   "\r\nUser-Agent: tend\r\nConnection: close\r\n\r\n";
    io_ = loop_.add_io(socket_.get(), EPOLLOUT, [this](uint32_t events) { on_socket(events); });
}

void ProbeAttempt::on_socket(uint32_t events) {
    if (finished_) return;
    if (events & EPOLLOUT) {
        int error = 0;
        socklen_t len = sizeof error;
        if (getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &error, &len) < 0) error = errno;
        if (error != 0) {
            finish(false, std::string("connect: ") + std::strerror(error));
            return;
        }
        if (probe_.kind == ProbeSpec::Kind::tcp) {
            finish(true, "connected");
            return;
        }
        while (!request_.empty()) {
            ssize_t n = send(socket_.get(), request_.data(), request_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
            if (n < 0) {
                finish(false, std::string("send: ") + std::strerror(errno));
                return;
            }
            request_.erase(0, static_cast<std::size_t>(n));
        }
        EventLoop::watch_for(io_.get(), EPOLLIN);
        return;
    }
    char buffer[1024];
    ssize_t n = recv(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) reply_.append(buffer, static_cast<std::size_t>(std::min<ssize_t>(n, static_cast<ssize_t>(kMaxReply))));
    bool complete_line = reply_.find('\n') != std::string::npos;
    if (n > 0 && !complete_line && reply_.size() < kMaxReply) return;
    int code = http_status(reply_);
    if (code == 0) {
        finish(false, n < 0 ? std::string("recv: ") + std::strerror(errno) : "no HTTP status line in the reply");
        return;
    }
    finish(code >= 200 && code < 400, "HTTP " + std::to_string(code));
}

void ProbeAttempt::on_timeout() {
    if (finished_) return;
    if (!early_failure_.empty()) finish(false, early_failure_);
    else finish(false, "timed out after " + format_duration(probe_.timeout));
}

void ProbeAttempt::finish(bool ok, std::string output) {
    if (finished_) return;
    finished_ = true;
    io_.reset();
    socket_.reset();
    timer_->disarm();
    kill_running();  // timed out: its exit still comes to exited()
    output_watch_.reset();
    output_.reset();
    Duration took = std::chrono::duration_cast<Duration>(clock_.now() - began_);
    // Last: the callback may destroy this attempt.
    auto done = std::move(done_);
    done(ProbeResult{ok, std::move(output), took});
}

}  // namespace tend
