// One attempt of a readiness or health check, run without blocking the loop:
// a command (spawned through the process host in its own session, the first
// few KiB of its output kept from a pipe; at its exit or its timeout whatever
// is left of its session is killed),
// a non-blocking TCP connect, or an HTTP GET over one. The attempt ends by
// calling `done` once, with whether it passed and what it said; at its timeout
// a command is killed and a socket closed. Destroying it cancels it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "tend/config/probe_spec.hpp"
#include "tend/event/clock.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/process/exit_status.hpp"
#include "tend/process/process_host.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

struct ProbeResult {
    bool ok = false;
    std::string output;  // trimmed: "exit code 1: connection refused", "HTTP 503", "connect: Connection refused"
    Duration took{};
};

class ProbeAttempt {
public:
    using Done = std::function<void(ProbeResult)>;

    // Starts at once. A command runs like the service (`like`: its environment,
    // directory and user) with the probe's argv, its output read from a pipe.
    // `done` is never called from inside the constructor.
    ProbeAttempt(EventLoop& loop, Clock& clock, ProcessHost& host, const ProbeSpec& probe, const SpawnRequest& like,
                 Done done);
    ~ProbeAttempt();
    ProbeAttempt(const ProbeAttempt&) = delete;
    ProbeAttempt& operator=(const ProbeAttempt&) = delete;

    // The command's pid while it runs (the caller registers it in the pid table), else 0.
    pid_t pid() const { return pid_; }
    // The command was reaped.
    void exited(const ExitStatus& status);
    bool finished() const { return finished_; }

private:
    void start_command(SpawnRequest request);
    void fail_soon(std::string why);
    void start_socket();
    void on_socket(uint32_t events);
    void on_timeout();
    void finish(bool ok, std::string output);
    std::string command_output();
    void read_output(int max_reads);
    void kill_running();    // the command and its descendants, while it runs
    void kill_leftovers();  // its group and session, once it has exited
    void kill_escaped_holders();  // what left its session but holds its output (a /proc scan)

    static constexpr std::size_t kKeptOutput = 4096;  // more than a report shows; the rest is drained unkept
    static constexpr int kReadsPerWakeup = 16;        // of 64 KiB: a chatty probe shares the loop
    static constexpr int kReadsAtExit = 16;

    EventLoop& loop_;
    Clock& clock_;
    ProcessHost& host_;
    const ProbeSpec probe_;
    Done done_;
    std::chrono::steady_clock::time_point began_;
    pid_t pid_ = 0;
    Scope scope_;  // its processes (a new session), until what is left of them is killed
    UniqueFd output_;  // tend's end of the command's stdout and stderr
    EventSource output_watch_;
    std::string kept_;  // the first kKeptOutput bytes it wrote
    UniqueFd socket_;
    std::string request_;  // http: what is left to send
    std::string reply_;    // http: what came back so far
    EventSource io_;
    std::unique_ptr<Timer> timer_;
    bool finished_ = false;
    std::string early_failure_;  // failed before it began: reported from the timer, at once
};

// "HTTP/1.1 204 No Content\r\n..." -> 204; 0 when the reply does not begin with
// exactly "HTTP/d.d NNN" (100 to 999) and then a space, a line end or nothing.
int http_status(std::string_view reply);
// The text a probe reports: printable, one line, at most `limit` bytes.
std::string trim_probe_output(std::string_view text, std::size_t limit = 200);

}  // namespace tend
