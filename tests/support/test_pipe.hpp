// A pipe for tests that stand in for tend's stdout or stderr: the read end is
// non-blocking, so drain() returns what is there now and never waits.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <string>

#include "tend/util/unique_fd.hpp"

namespace tend::testing {

struct TestPipe {
    UniqueFd read, write;

    TestPipe() {
        int fds[2];
        REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
        read.reset(fds[0]);
        write.reset(fds[1]);
        REQUIRE(fcntl(read.get(), F_SETFL, O_NONBLOCK) == 0);
    }

    std::string drain() {
        std::string out;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(read.get(), buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
        return out;
    }
};

}  // namespace tend::testing
