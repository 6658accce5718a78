// The state of the ordered shutdown, apart from the supervisor that carries
// it out: which phase it is in, its deadline, whether grace periods are
// skipped, and what happened on the way that decides tend's exit code.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tend/util/duration.hpp"

namespace tend {

class ShutdownSequence {
public:
    enum class Phase {
        running,            // no shutdown asked for
        stopping_services,  // services stop in reverse dependency order
        sweeping,           // leftover processes got SIGTERM, kill_grace runs
        killing,            // leftovers got SIGKILL; waiting for the last to be reaped
        done,
    };
    using Clock = std::chrono::steady_clock;

    Phase phase() const { return phase_; }
    bool started() const { return phase_ != Phase::running; }
    bool done() const { return phase_ == Phase::done; }
    // Waiting only for the leftovers to be reaped.
    bool sweeping() const { return phase_ == Phase::sweeping || phase_ == Phase::killing; }

    // False when a shutdown was already under way.
    bool begin(Clock::time_point now, Duration timeout);
    void enter(Phase phase) { phase_ = phase; }
    Clock::time_point deadline() const { return deadline_; }

    // A second SIGINT: SIGKILL instead of waiting. False when already skipping.
    bool skip_grace();
    bool skipping_grace() const { return skip_grace_; }
    int count_interrupt() { return ++interrupts_; }

    // The first critical service to end decides the exit code.
    void note_critical_end(int code, std::string why);
    void note_deadline_hit() { deadline_hit_ = true; }
    // A service needed SIGKILL during this shutdown.
    void note_kill(std::string what);

    // tend's exit code and why, when it is not 0: a critical service's own code
    // first, then 1 for a hit deadline, then 1 for every SIGKILL it took.
    std::pair<int, std::string> exit_code(Duration timeout) const;

private:
    Phase phase_ = Phase::running;
    Clock::time_point deadline_{};
    bool skip_grace_ = false;
    bool deadline_hit_ = false;
    int interrupts_ = 0;
    std::optional<std::pair<int, std::string>> critical_exit_;
    std::vector<std::string> kills_;  // "web needed SIGKILL after stop_timeout 10s"
};

}  // namespace tend
