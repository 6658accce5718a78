// Work that would hold the loop too long (reading and checking a large
// config takes a second), run on a thread of its own, its end handed back to
// the loop. The work must touch nothing the loop uses: it takes its input by
// value and leaves its result where only `done` reads it. tend has no other
// thread; this one exists because a measurement showed the loop stalled.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tend/event/event_loop.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

class BackgroundTask {
public:
    // `work` runs on its own thread (with every signal blocked, as tend's are);
    // `done` runs on the loop once it has returned. When no thread can be made
    // (a pids limit), the work runs at once on the loop instead, and `done`
    // still comes from the loop. `done` must not destroy this task (its own
    // event source is running it): drop it later, or when starting the next.
    BackgroundTask(EventLoop& loop, std::function<void()> work, std::function<void()> done);
    // Never waits for the work: a read of a huge config (or one on a stalled
    // file system) must not hold tend's exit past shutdown_timeout. Unfinished
    // work is left to end on its own; it owns everything it touches, so
    // nothing it uses is freed under it, and its `done` never comes.
    ~BackgroundTask();
    BackgroundTask(const BackgroundTask&) = delete;
    BackgroundTask& operator=(const BackgroundTask&) = delete;

    bool on_own_thread() const { return threaded_; }
    bool finished() const { return finished_; }

    // Threads of destroyed tasks whose work has not ended yet. While there is
    // one, the process must end with _exit(): exit()'s static destructors
    // would free what that work may still be using.
    static int abandoned();
    // Threads whose work has not returned yet, abandoned or not: while there
    // is one, tend's address space can change under a look at /proc/self/maps.
    static int working();

private:
    struct Shared;
    void finish();

    std::shared_ptr<Shared> shared_;  // the thread's own copy keeps it alive past this task
    EventSource watch_;
    std::function<void()> done_;
    bool threaded_ = false;
    bool finished_ = false;
};

}  // namespace tend
