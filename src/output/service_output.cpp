#include "tend/output/service_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "tend/output/line_format.hpp"
#include "tend/util/fd_reopen.hpp"
#include "tend/util/system_error.hpp"

namespace tend {
namespace {

constexpr std::size_t kReadChunk = 128 * 1024;

// A program that drops privileges itself (nginx's `user www-data;`, php-fpm's
// pools, apache) has workers, running as another user, that reopen
// /dev/stdout: open() of /proc/self/fd/1 checks the pipe's inode as a file's,
// and pipe2() makes it 0600, owned by tend. Write for everyone lets them
// reopen it; read stays the owner's, so no other user can take the service's
// lines. (Both ends are one inode; only a process that holds an end, or may
// ptrace one that does, can name it under /proc. docs/security.md.)
void allow_reopen(int fd) {
    if (fchmod(fd, 0622) < 0)
        spdlog::warn("Failed to let a service's other users reopen its output pipe: {}, ignoring", std::strerror(errno));
}

// A new write end of the pipe whose read end is `read_fd`.
UniqueFd reopen_for_writing(int read_fd) { return reopen_fd(read_fd, O_WRONLY | O_CLOEXEC); }

// Asked until the answer is sure: a container may run tend without /proc (or
// with one it may not use), and then every pipe keeps the write end pipe2()
// gave it. A passing failure (EMFILE, ENFILE, ENOMEM) decides nothing: that
// pipe keeps its write end and the next one asks again.
bool proc_reopens_pipes(int read_fd) {
    static std::optional<bool> reopens;
    if (reopens) return *reopens;
    if (reopen_for_writing(read_fd)) {
        reopens = true;
    } else if (errno == ENOENT || errno == ENOTDIR || errno == ENXIO || errno == EACCES || errno == EPERM) {
        spdlog::info("Service output pipes keep their write ends: /proc/self/fd/{} cannot be opened for writing ({})",
                     read_fd, std::strerror(errno));
        reopens = false;
    }
    return reopens.value_or(false);
}

}  // namespace

bool ServiceOutput::captures(const ServiceSpec& spec) {
    return spec.output == OutputMode::prefix || (spec.output == OutputMode::discard && !spec.log_file.empty());
}

ServiceOutput::ServiceOutput(OutputRouter& router, const ServiceSpec& spec)
    : router_(router), name_(spec.name), to_stdout_(spec.output == OutputMode::prefix),
      pipes_{Pipe{OutputStream::out, {}, {}, {}, LineSplitter(), {}}, Pipe{OutputStream::err, {}, {}, {}, LineSplitter(), {}}},
      ring_(static_cast<std::size_t>(spec.log_buffer_lines)), account_(std::make_shared<QueueAccount>()) {
    for (Pipe& pipe : pipes_) {
        int fds[2];
        // The read end is tend's and never blocks; the write end stays blocking,
        // so a service whose output tend cannot take yet waits in write().
        if (pipe2(fds, O_CLOEXEC) < 0) throw errno_error("Failed to create an output pipe for " + name_);
        pipe.read.reset(fds[0]);
        pipe.write.reset(fds[1]);
        allow_reopen(pipe.write.get());
        int flags = fcntl(pipe.read.get(), F_GETFL);
        if (flags < 0 || fcntl(pipe.read.get(), F_SETFL, flags | O_NONBLOCK) < 0)
            throw errno_error("Failed to make the output pipe of " + name_ + " non-blocking");
        // A `user:` service owns its pipes (attach_output gives them to it), and
        // may change their mode: tend keeps its write ends rather than reopen them.
        pipe.keep_write = spec.credentials.has_value() || !proc_reopens_pipes(pipe.read.get());
        Pipe* raw = &pipe;
        pipe.reading = router.pipes().watch(pipe.read.get(), [this, raw](uint32_t) {
            read_once(*raw);
            commit();
        });
    }
    if (!spec.log_file.empty()) file_.emplace(name_, spec.log_file, spec.log_max_size, spec.log_keep);
    account_->on_low = [this] { resume(); };
}

ServiceOutput::~ServiceOutput() {
    account_->on_low = nullptr;  // queued bytes may outlive this object in the writer
    drain();
}

bool ServiceOutput::read_once(Pipe& pipe) {
    static char buffer[kReadChunk];  // one thread, and no line outlives the call
    ssize_t n;
    do n = read(pipe.read.get(), buffer, sizeof buffer);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            spdlog::warn("{}: failed to read its output: {}, ignoring", name_, std::strerror(errno));
        return false;
    }
    if (n == 0) {
        // Every writer is gone: the read end would report EPOLLHUP on each turn,
        // and no one can finish a partial line.
        pipe.hung_up = true;
        pipe.reading.enable(false);
        pipe.splitter.flush([&](std::string_view text, bool continued) { on_line(pipe, text, continued); });
        return false;
    }
    read_time_ = WallClock::now();
    pipe.counts.bytes += static_cast<std::uint64_t>(n);
    pipe.splitter.feed(std::string_view(buffer, static_cast<std::size_t>(n)),
                       [&](std::string_view text, bool continued) { on_line(pipe, text, continued); });
    return true;
}

void ServiceOutput::on_line(Pipe& pipe, std::string_view text, bool continued) {
    pipe.counts.lines += !continued;
    LineView line{router_.next_seq(), read_time_, name_, pipe.stream, continued, text};
    if (to_stdout_) format_line(router_.writer().open_tail(account_), line, router_.format());
    if (file_) {
        file_batch_.append(text);
        file_batch_ += '\n';
    }
    ring_.push(line);
    router_.publish(line);
}

void ServiceOutput::commit() {
    router_.writer().close_tail();
    if (file_ && !file_batch_.empty()) {
        file_->write(file_batch_);
        file_batch_.clear();
    }
    if (!paused_ && account_->queued > kHighMark) pause();
}

// Back-pressure: stop reading; the pipe fills and the service's writes block
// until tend's stdout has taken enough of what this service already wrote.
void ServiceOutput::pause() {
    paused_ = true;
    for (Pipe& pipe : pipes_) pipe.reading.enable(false);
    router_.writer().notify_when_low(account_);
}

void ServiceOutput::resume() {
    if (!paused_) return;
    paused_ = false;
    for (Pipe& pipe : pipes_) watch(pipe);
}

void ServiceOutput::watch(Pipe& pipe) {
    if (paused_ || pipe.hung_up) return;
    if (int error = pipe.reading.enable(true))
        spdlog::error("{}: failed to watch its {} pipe again: {}; its output is not read until its next start", name_,
                      stream_name(pipe.stream), std::strerror(error));
}

OutputWriters ServiceOutput::open_writers() {
    OutputWriters writers{open_writer(pipes_[0]), open_writer(pipes_[1])};
    for (Pipe& pipe : pipes_) {
        pipe.hung_up = false;
        watch(pipe);
    }
    return writers;
}

UniqueFd ServiceOutput::open_writer(Pipe& pipe) {
    const std::string what = std::string(stream_name(pipe.stream)) + " pipe of " + name_;
    if (pipe.keep_write) {
        UniqueFd copy(fcntl(pipe.write.get(), F_DUPFD_CLOEXEC, 0));
        if (!copy) throw errno_error("Failed to copy the " + what);
        return copy;
    }
    if (pipe.write) return std::move(pipe.write);  // the first spawn takes pipe2()'s own end
    UniqueFd fresh = reopen_for_writing(pipe.read.get());
    if (!fresh) throw errno_error("Failed to open the " + what + " for writing");
    return fresh;
}

void ServiceOutput::drain() {
    for (Pipe& pipe : pipes_) {
        // Bounded: a left-behind child that never stops writing must not hold tend here.
        for (int reads = 0; reads < 16 && read_once(pipe); ++reads) commit();
        pipe.splitter.flush([&](std::string_view text, bool continued) { on_line(pipe, text, continued); });
    }
    commit();
}

void ServiceOutput::update(const ServiceSpec& spec) {
    to_stdout_ = spec.output == OutputMode::prefix;
    ring_.resize(static_cast<std::size_t>(spec.log_buffer_lines));
    if (spec.log_file.empty()) file_.reset();
    else if (!file_ || !file_->same_settings(spec.log_file, spec.log_max_size, spec.log_keep))
        file_.emplace(name_, spec.log_file, spec.log_max_size, spec.log_keep);  // most reloads change none of it
}

}  // namespace tend
