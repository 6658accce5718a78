// One service's captured output: a pipe each for stdout and stderr, read
// without blocking from the event loop, cut into lines, and sent to tend's
// stdout (output: prefix), the service's log file, its ring of last lines and
// any followers. The pipes outlive each process, so a restart loses nothing
// that an earlier run or a left-behind child still writes. tend keeps only
// their read ends: each spawn opens write ends afresh (through /proc/self/fd)
// and closes them once the child has its copies, since every descriptor tend
// holds is copied into, and closed by, every process it starts.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tend/config/config.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/output/line_splitter.hpp"
#include "tend/output/log_ring.hpp"
#include "tend/output/output_router.hpp"
#include "tend/output/rotating_file.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {

// What one stream of a service has written since tend made its pipes (they
// outlive its processes): lines (a line cut for its length counts once; a
// partial one once its newline comes or the main process exits) and bytes as
// read, newlines included. Two additions per read and line: nothing the
// output path would notice.
struct OutputCounts {
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
};

// The write ends one spawn hands its child as fds 1 and 2.
struct OutputWriters {
    UniqueFd out;
    UniqueFd err;
};

class ServiceOutput {
public:
    // Bytes of one service that may wait for tend's stdout before its pipes stop being read.
    static constexpr std::size_t kHighMark = 256 * 1024;

    // Whether the spec's output goes through tend at all (prefix, or a log_file).
    static bool captures(const ServiceSpec& spec);

    // Throws std::system_error when the pipes cannot be made.
    ServiceOutput(OutputRouter& router, const ServiceSpec& spec);
    ~ServiceOutput();
    ServiceOutput(const ServiceOutput&) = delete;
    ServiceOutput& operator=(const ServiceOutput&) = delete;

    // Write ends for the next child; close them once it has its copies.
    // Throws std::system_error when they cannot be opened.
    OutputWriters open_writers();

    // The service's main process has exited: take what is in the pipes now and
    // flush partial lines, whatever back-pressure says.
    void drain();
    // A reload changed how the output is kept (output between prefix and null,
    // log_file and its rotation, log_buffer_lines): the pipes and the kept lines stay.
    void update(const ServiceSpec& spec);

    const LogRing& ring() const { return ring_; }
    OutputCounts counts(OutputStream stream) const { return pipes_[stream == OutputStream::out ? 0 : 1].counts; }
    void clear_kept() { ring_.clear(); }

private:
    struct Pipe {
        OutputStream stream;
        UniqueFd read;
        UniqueFd write;  // until the first spawn, or for good with keep_write
        IoGroup::Watch reading;  // after `read`: out of the epoll before the fd closes
        LineSplitter splitter;
        OutputCounts counts;
        bool hung_up = false;  // no process holds a write end: silent until the next spawn
        bool keep_write = false;  // no /proc to reopen it, or a `user:` service owns the pipe
    };

    // Returns false when the pipe had nothing more (EAGAIN).
    bool read_once(Pipe& pipe);
    UniqueFd open_writer(Pipe& pipe);
    void watch(Pipe& pipe);
    void on_line(Pipe& pipe, std::string_view text, bool continued);
    void commit();
    void pause();
    void resume();

    OutputRouter& router_;
    std::string name_;
    bool to_stdout_;
    std::array<Pipe, 2> pipes_;
    std::optional<RotatingFile> file_;
    LogRing ring_;
    std::shared_ptr<QueueAccount> account_;
    std::string file_batch_;
    WallClock::time_point read_time_;
    bool paused_ = false;
};

}  // namespace tend
