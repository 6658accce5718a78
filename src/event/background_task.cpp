#include "tend/event/background_task.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "tend/util/system_error.hpp"

namespace tend {

// What the thread and the task share. The thread holds its own reference, so
// a task destroyed mid-work frees none of it; the last owner closes the fd.
struct BackgroundTask::Shared {
    UniqueFd wake;  // eventfd: the thread's "I am done"
    std::function<void()> work;
    std::string failure;  // what the work threw, logged on the loop
    enum class State { running, ended, left_behind };
    std::atomic<State> state{State::running};
};

namespace {

std::atomic<int> abandoned_threads{0};
std::atomic<int> working_threads{0};

// Counts a work as running from before its thread starts to its very end.
struct Working {
    Working() = default;
    Working(const Working&) = delete;
    Working& operator=(const Working&) = delete;
    ~Working() { --working_threads; }
};

// The work's own exceptions stop at the thread's edge; what they said is kept.
void run_guarded(const std::function<void()>& work, std::string& failure) {
    try {
        work();
    } catch (const std::exception& e) {
        failure = e.what();
    } catch (...) {
        failure = "unknown error";
    }
}

}  // namespace

int BackgroundTask::abandoned() { return abandoned_threads.load(); }

int BackgroundTask::working() { return working_threads.load(); }

BackgroundTask::BackgroundTask(EventLoop& loop, std::function<void()> work, std::function<void()> done)
    : shared_(std::make_shared<Shared>()), done_(std::move(done)) {
    shared_->wake = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!shared_->wake) throw errno_error("Failed to create an eventfd for background work");
    shared_->work = std::move(work);
    watch_ = loop.add_io(shared_->wake.get(), EPOLLIN, [this](uint32_t) { finish(); });
    auto run = [shared = shared_] {
        {
            Working counted;  // until the work and what it captured are gone, before the loop hears of it
            run_guarded(shared->work, shared->failure);
            shared->work = nullptr;  // what it captured (a parsed config) goes now, not with the task
        }
        // The work's writes happen before this exchange; finish() reads them after seeing it.
        auto state = Shared::State::running;
        if (!shared->state.compare_exchange_strong(state, Shared::State::ended)) {
            --abandoned_threads;  // its task is gone: nobody waits for the wake-up
            return;
        }
        const std::uint64_t one = 1;
        // An eventfd write of 1 cannot fail short of a counter at 2^64-2.
        while (write(shared->wake.get(), &one, sizeof one) < 0 && errno == EINTR) {}
    };
    ++working_threads;  // taken back by `run`'s end, on whichever thread it runs
    try {
        std::thread(run).detach();
        threaded_ = true;
    } catch (const std::system_error& e) {
        spdlog::warn("Failed to start a thread ({}): doing the work on the event loop instead", e.what());
        run();
    }
}

BackgroundTask::~BackgroundTask() {
    if (finished_ || !threaded_) return;
    // Counted before the thread can see it abandoned (and take the count back).
    ++abandoned_threads;
    auto state = Shared::State::running;
    if (!shared_->state.compare_exchange_strong(state, Shared::State::left_behind)) --abandoned_threads;  // it had ended
}

void BackgroundTask::finish() {
    std::uint64_t count = 0;
    if (read(shared_->wake.get(), &count, sizeof count) < 0 && errno == EAGAIN) return;  // not yet
    if (shared_->state.load() != Shared::State::ended) return;
    finished_ = true;
    // Off (so out of epoll) and its fd closed: a finished task holds no fd,
    // though its source lives on until the task goes. The thread wrote its
    // last to the fd before the wake-up that brought us here.
    EventLoop::enable(watch_.get(), false);
    shared_->wake.reset();
    if (!shared_->failure.empty()) spdlog::error("Background work failed: {}", shared_->failure);
    auto done = std::move(done_);
    done();
}

}  // namespace tend
