// Scheduled jobs and bounded runs: starts each `schedule:` service when it is
// due, keeps `concurrency:` between a due run and one still going, stops a run
// that overruns its `timeout:`, and remembers each job's last run for status.
//
// All of it through Supervisor's public requests (start, stop) and its
// transitions, on one timer aimed at the earliest due job: 1,000 idle jobs
// cost one armed timer. Cron times are wall-clock times, so a step of the wall
// clock re-aims them; `@every` counts elapsed (steady) time and ignores steps.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tend/event/clock.hpp"
#include "tend/util/listener_list.hpp"

namespace tend {

class Service;
class Supervisor;
struct Transition;

using WallTime = std::chrono::system_clock::time_point;

// A job's last run: when it began, how it ended ("" while it runs) and how long it took.
struct LastRun {
    WallTime started;
    std::string result;  // "completed", "failed: exit code 1", "timed out after 30s", ...
    std::optional<double> seconds;
};

struct JobTimes {
    std::optional<WallTime> next;  // none for a run timeout without a schedule
    std::optional<LastRun> last;
};

class Scheduler {
public:
    Scheduler(Supervisor& supervisor, Clock& clock);
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;
    ~Scheduler();

    // Of a service with a schedule or a run timeout; nullopt for the others.
    std::optional<JobTimes> times(const Service& service) const;

private:
    struct Job;

    void rebuild();
    void aim(Job& job, bool from_step);
    void rearm();
    void on_due();
    void run_due(Job& job, Service& service);
    void on_transition(const Service& service, const Transition& t);
    void on_timeout(const std::string& name);
    void on_wall_step();
    void watch_wall_clock();  // on while a cron job is defined

    Supervisor& supervisor_;
    Clock& clock_;
    std::map<std::string, std::unique_ptr<Job>> jobs_;  // by service name
    std::unique_ptr<Timer> timer_;                      // at the earliest due job
    // Only while a cron job is defined: their times are wall times; @every
    // jobs and timeouts do not care, and a host that sets its clock ten times
    // a second (seen on a virtual machine's time sync) must not wake a tend
    // that has no cron job.
    std::unique_ptr<WallClockWatch> watch_;
    // The wall and steady times at the last look, to say how far a set moved the clock.
    WallTime wall_seen_{};
    std::chrono::steady_clock::time_point steady_seen_{};
    Subscription transitions_;
    Subscription replaced_;
    Subscription reloaded_;  // a service restarted by the reload takes its new spec only once it is down
};

}  // namespace tend
