#include "tend/supervisor/scheduler.hpp"

#include <algorithm>
#include <ctime>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"
#include "tend/util/duration.hpp"

namespace tend {

struct Scheduler::Job {
    std::optional<JobSchedule> schedule;
    std::optional<Duration> timeout;
    Concurrency concurrency = Concurrency::forbid;
    TimePoint due{};                  // steady: what the timer waits for
    std::optional<WallTime> due_wall;  // a cron job's wall time of that run
    std::optional<LastRun> last;
    bool running = false;
    TimePoint began{};
    bool timed_out = false;
    bool replace_pending = false;  // replace: the old run is stopping, the new one starts once it is down
    std::unique_ptr<Timer> timeout_timer;
};

namespace {

std::string clock_time(WallTime t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

double seconds_between(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

}  // namespace

Scheduler::Scheduler(Supervisor& supervisor, Clock& clock) : supervisor_(supervisor), clock_(clock) {
    timer_ = clock_.timer([this] { on_due(); });
    transitions_ = supervisor_.news().transitions.add([this](const Service& s, const Transition& t) { on_transition(s, t); });
    replaced_ = supervisor_.news().services_replaced.add([this] { rebuild(); });
    reloaded_ = supervisor_.news().reload_done.add([this] { rebuild(); });
    rebuild();
}

Scheduler::~Scheduler() = default;

std::optional<JobTimes> Scheduler::times(const Service& service) const {
    auto it = jobs_.find(service.name());
    if (it == jobs_.end()) return std::nullopt;
    const Job& job = *it->second;
    JobTimes times{std::nullopt, job.last};
    if (job.due_wall) times.next = job.due_wall;  // a cron job: exact, where steady arithmetic would round
    else if (job.schedule) times.next = clock_.wall_now() + std::chrono::duration_cast<WallTime::duration>(job.due - clock_.now());
    return times;
}

// The jobs follow the services: a reload keeps what is known of a job by its
// name, and re-aims one whose schedule changed.
void Scheduler::rebuild() {
    std::map<std::string, std::unique_ptr<Job>> next;
    for (const auto& s : supervisor_.services()) {
        const ServiceSpec& spec = s->spec();
        if (!spec.schedule && !spec.timeout) continue;
        auto old = jobs_.find(s->name());
        std::unique_ptr<Job> job = old != jobs_.end() ? std::move(old->second) : std::make_unique<Job>();
        const bool reaim = !(job->schedule == spec.schedule) || (spec.schedule && job->due == TimePoint{});
        job->schedule = spec.schedule;
        job->timeout = spec.timeout;
        job->concurrency = spec.concurrency;
        if (reaim && job->schedule) aim(*job, false);
        next.emplace(s->name(), std::move(job));
    }
    jobs_ = std::move(next);
    watch_wall_clock();
    rearm();
}

void Scheduler::watch_wall_clock() {
    const bool cron = std::any_of(jobs_.begin(), jobs_.end(),
                                  [](const auto& entry) { return entry.second->schedule && !entry.second->schedule->when.every; });
    if (!cron) {
        watch_.reset();
        return;
    }
    if (watch_) return;
    // Made at a reload too: a failure must not stop the reload; the next rebuild tries again.
    try {
        watch_ = clock_.watch_wall_clock([this] { on_wall_step(); });
    } catch (const std::exception& e) {
        spdlog::warn("{}; a step of the wall clock will not re-aim cron jobs until their next run", e.what());
        return;
    }
    wall_seen_ = clock_.wall_now();
    steady_seen_ = clock_.now();
}

// The job's next run strictly after now: missed runs are not caught up.
void Scheduler::aim(Job& job, bool from_step) {
    const TimePoint now = clock_.now();
    if (job.schedule->when.every) {
        if (!from_step) job.due = now + *job.schedule->when.every;
        return;
    }
    const WallTime wall = clock_.wall_now();
    job.due_wall = next_cron_run(job.schedule->when, wall);
    // Parsing refuses schedules that never run; past the search bound, try again in a day.
    const WallTime at = job.due_wall.value_or(wall + std::chrono::hours(24));
    job.due = now + std::chrono::duration_cast<Duration>(at - wall);
}

void Scheduler::rearm() {
    std::optional<TimePoint> earliest;
    for (const auto& [name, job] : jobs_)
        if (job->schedule && (!earliest || job->due < *earliest)) earliest = job->due;
    if (!earliest || supervisor_.shutting_down()) {
        timer_->disarm();
        return;
    }
    timer_->arm(std::max(Duration(0), std::chrono::duration_cast<Duration>(*earliest - clock_.now())));
}

void Scheduler::on_due() {
    const TimePoint now = clock_.now();
    const WallTime wall = clock_.wall_now();
    for (auto& [name, job] : jobs_) {
        if (!job->schedule || job->due > now) continue;
        // A slewed wall clock may lag the steady one by a little: not due yet by the wall.
        if (job->due_wall && wall < *job->due_wall) {
            job->due = now + std::chrono::duration_cast<Duration>(*job->due_wall - wall);
            continue;
        }
        if (Service* service = supervisor_.services().find(name); service && !supervisor_.shutting_down())
            run_due(*job, *service);
        aim(*job, false);
    }
    rearm();
}

void Scheduler::run_due(Job& job, Service& service) {
    const std::string due = job.due_wall ? " due at " + clock_time(*job.due_wall) : "";
    if (is_down(service.state())) {
        spdlog::info("{}: scheduled run{} starts", service.name(), due);
        if (std::string refused = supervisor_.start(service); !refused.empty())
            spdlog::warn("{}: the run{} did not start: {}", service.name(), due, refused);
        return;
    }
    const std::string still = service.pid ? " (pid " + std::to_string(service.pid) + ")" : "";
    if (job.concurrency == Concurrency::forbid) {
        spdlog::warn("{}: the run{} is skipped: the last run is still going{}", service.name(), due, still);
        return;
    }
    spdlog::info("{}: the run{} replaces the last run, still going{}", service.name(), due, still);
    job.replace_pending = true;
    supervisor_.stop(service);
}

// A run begins when the job leaves a down state (a retry's start after
// backoff is the same run) and ends when it is down again.
void Scheduler::on_transition(const Service& service, const Transition& t) {
    auto it = jobs_.find(service.name());
    if (it == jobs_.end() || !t.changed()) return;
    Job& job = *it->second;
    if (!job.running && t.to == ServiceState::starting) {
        job.running = true;
        job.timed_out = false;
        job.began = clock_.now();
        job.last = LastRun{clock_.wall_now(), "", std::nullopt};
        if (job.timeout) {
            const std::string name = service.name();
            job.timeout_timer = clock_.timer([this, name] { on_timeout(name); });
            job.timeout_timer->arm(*job.timeout);
        }
        return;
    }
    if (!job.running || !is_down(t.to)) return;
    job.running = false;
    job.timeout_timer.reset();
    job.last->seconds = seconds_between(job.began, clock_.now());
    if (job.timed_out) job.last->result = "failed: timed out after " + format_duration(*job.timeout);
    else if (job.replace_pending) job.last->result = "replaced by the next run";
    else job.last->result = std::string(to_string(t.to)) + (t.reason.empty() ? "" : ": " + t.reason);
    if (std::exchange(job.replace_pending, false))
        if (Service* s = supervisor_.services().find(service.name())) supervisor_.start(*s);
}

void Scheduler::on_timeout(const std::string& name) {
    auto it = jobs_.find(name);
    Service* service = supervisor_.services().find(name);
    if (it == jobs_.end() || !service || !it->second->running) return;
    it->second->timed_out = true;
    spdlog::warn("{}: the run has gone on for {}, its timeout: stopping it", name, format_duration(*it->second->timeout));
    supervisor_.stop(*service);
}

// Cron jobs re-aim from the new wall time; @every jobs keep their interval.
// A set that moved the clock by less than a second (a time sync's small
// steps, which may come many times a second) is said at debug level only.
void Scheduler::on_wall_step() {
    const WallTime wall = clock_.wall_now();
    const TimePoint steady = clock_.now();
    const auto moved = (wall - wall_seen_) - std::chrono::duration_cast<WallTime::duration>(steady - steady_seen_);
    wall_seen_ = wall;
    steady_seen_ = steady;
    // Whole seconds: two real clocks read one after the other differ by microseconds.
    const auto size = std::chrono::round<std::chrono::seconds>(std::chrono::abs(moved));
    if (size >= std::chrono::seconds(1))
        spdlog::info("The wall clock was set {} {}: scheduled jobs re-aimed", moved < moved.zero() ? "back" : "forward",
                     format_duration(size));
    else
        spdlog::debug("The wall clock was set (moved under a second): scheduled jobs re-aimed");
    for (auto& [name, job] : jobs_)
        if (job->schedule) aim(*job, true);
    rearm();
}

}  // namespace tend
