#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tend/output/service_output.hpp"
#include "open_descriptors.hpp"
#include "test_pipe.hpp"

namespace unit_service_output_test {

using namespace tend;
using tend::testing::open_descriptors;
using tend::testing::TestPipe;

namespace {

// Turns the loop until a turn dispatches nothing; returns how many did.
int settle(EventLoop& loop) {
    int dispatched = 0;
    while (dispatched < 100 && sd_event_run(loop.get(), 0) > 0) ++dispatched;
    return dispatched;
}

void say(const UniqueFd& fd, const std::string& text) {
    REQUIRE(write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

std::vector<std::string> kept(const ServiceOutput& output) {
    std::vector<std::string> lines;
    for (const StoredLine& line : output.ring().last(100))
        lines.push_back((line.stream == OutputStream::err ? "err:" : "out:") + line.text);
    return lines;
}

struct Fixture {
    EventLoop loop;
    TestPipe stdout_pipe;
    OutputRouter router{loop, LogFormat::text, stdout_pipe.write.get()};
    ServiceSpec spec;
    Fixture() { spec.name = "web"; }
};

}  // namespace

TEST_CASE("each spawn's write ends reach the same pipes, so lines of every run are kept in order") {
    Fixture f;
    ServiceOutput output(f.router, f.spec);
    {
        OutputWriters first = output.open_writers();
        say(first.out, "one\n");
        say(first.err, "oops\n");
    }
    settle(f.loop);
    {
        OutputWriters second = output.open_writers();
        CHECK(second.out.get() >= 0);
        say(second.out, "two\n");
    }
    settle(f.loop);
    CHECK(kept(output) == std::vector<std::string>{"out:one", "err:oops", "out:two"});
    CHECK(f.stdout_pipe.drain() == "web | one\nweb ! oops\nweb | two\n");
}

TEST_CASE("once no process holds a write end the pipes are silent until the next spawn opens them") {
    Fixture f;
    ServiceOutput output(f.router, f.spec);
    { OutputWriters gone = output.open_writers(); }
    settle(f.loop);
    // A pipe without writers reports EPOLLHUP on every turn unless its watch is off.
    CHECK(sd_event_run(f.loop.get(), 0) == 0);
    CHECK(sd_event_run(f.loop.get(), 0) == 0);
    OutputWriters next = output.open_writers();
    say(next.out, "back\n");
    CHECK(settle(f.loop) > 0);
    CHECK(kept(output) == std::vector<std::string>{"out:back"});
}

TEST_CASE("a process left behind by an earlier run still writes into the pipe after a later spawn") {
    Fixture f;
    ServiceOutput output(f.router, f.spec);
    OutputWriters earlier = output.open_writers();
    UniqueFd left_behind(dup(earlier.out.get()));
    earlier = OutputWriters{};
    { OutputWriters later = output.open_writers(); }
    say(left_behind, "still here\n");
    settle(f.loop);
    CHECK(kept(output) == std::vector<std::string>{"out:still here"});
}

TEST_CASE("the write ends are blocking, closed on exec, and writable by a service's other users") {
    Fixture f;
    ServiceOutput output(f.router, f.spec);
    { OutputWriters first = output.open_writers(); }  // pipe2()'s own ends
    OutputWriters writers = output.open_writers();    // reopened through /proc/self/fd
    for (const UniqueFd* fd : {&writers.out, &writers.err}) {
        CHECK((fcntl(fd->get(), F_GETFL) & O_NONBLOCK) == 0);
        CHECK((fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
        CHECK((fcntl(fd->get(), F_GETFL) & O_ACCMODE) == O_WRONLY);
        struct stat st{};
        REQUIRE(fstat(fd->get(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0622);  // a `user:` service's workers may reopen /dev/stdout
    }
}

TEST_CASE("between spawns tend holds only the read ends: every descriptor it holds is copied into each child") {
    Fixture f;
    const long before = open_descriptors();
    ServiceOutput output(f.router, f.spec);
    CHECK(open_descriptors() == before + 4);  // pipe2()'s write ends wait for the first spawn
    { OutputWriters first = output.open_writers(); }
    CHECK(open_descriptors() == before + 2);
    { OutputWriters second = output.open_writers(); }
    CHECK(open_descriptors() == before + 2);
}

TEST_CASE("a partial line is ended once the last writer is gone: no one can finish it") {
    Fixture f;
    ServiceOutput output(f.router, f.spec);
    {
        OutputWriters writers = output.open_writers();
        say(writers.out, "half a line");
    }
    settle(f.loop);
    CHECK(kept(output) == std::vector<std::string>{"out:half a line"});
    {
        OutputWriters next = output.open_writers();
        say(next.out, "next run\n");
    }
    settle(f.loop);
    CHECK(kept(output) == std::vector<std::string>{"out:half a line", "out:next run"});
}

TEST_CASE("a `user:` service's pipes keep their write ends: it owns them and may change their mode") {
    Fixture f;
    f.spec.credentials = Credentials{};
    const long before = open_descriptors();
    ServiceOutput output(f.router, f.spec);
    { OutputWriters first = output.open_writers(); }
    CHECK(open_descriptors() == before + 4);
    OutputWriters second = output.open_writers();
    say(second.out, "still the same pipe\n");
    second = OutputWriters{};
    settle(f.loop);
    CHECK(kept(output) == std::vector<std::string>{"out:still the same pipe"});
}

TEST_CASE("drain takes what is in the pipe and ends a partial line when the main process exits") {
    Fixture f;
    ServiceOutput output(f.router, f.spec);
    {
        OutputWriters writers = output.open_writers();
        say(writers.out, "done\nno newline");
    }
    output.drain();
    CHECK(kept(output) == std::vector<std::string>{"out:done", "out:no newline"});
}

}  // namespace unit_service_output_test
