#include "tend/event/background_task.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include <spdlog/spdlog.h>

#include "tend/util/system_error.hpp"

namespace tend {
namespace {

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

BackgroundTask::BackgroundTask(EventLoop& loop, std::function<void()> work, std::function<void()> done)
    : wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), done_(std::move(done)) {
    if (!wake_) throw errno_error("Failed to create an eventfd for background work");
    watch_ = loop.add_io(wake_.get(), EPOLLIN, [this](uint32_t) { finish(); });
    auto run = [this, work = std::move(work)] {
        run_guarded(work, failure_);
        const std::uint64_t one = 1;
        // An eventfd write of 1 cannot fail short of a counter at 2^64-2.
        while (write(wake_.get(), &one, sizeof one) < 0 && errno == EINTR) {}
    };
    try {
        thread_ = std::thread(run);
        threaded_ = true;
    } catch (const std::system_error& e) {
        spdlog::warn("Failed to start a thread ({}): doing the work on the event loop instead", e.what());
        run();
    }
}

BackgroundTask::~BackgroundTask() {
    if (thread_.joinable()) thread_.join();
}

void BackgroundTask::finish() {
    std::uint64_t count = 0;
    if (read(wake_.get(), &count, sizeof count) < 0 && errno == EAGAIN) return;  // not yet
    if (thread_.joinable()) thread_.join();  // also what makes the thread's writes visible here
    finished_ = true;
    // Off (so out of epoll) and its fd closed: a finished task holds no fd,
    // though its source lives on until the task goes.
    EventLoop::enable(watch_.get(), false);
    wake_.reset();
    if (!failure_.empty()) spdlog::error("Background work failed: {}", failure_);
    auto done = std::move(done_);
    done();
}

}  // namespace tend
