#include <doctest/doctest.h>

#include <unistd.h>

#include <stdexcept>

#include "tend/cli/pid_view.hpp"

namespace unit_pid_view_test {

using namespace tend;

namespace {

// /proc/PID/status as Linux 6.1 writes it, cut to the lines around NSpid.
std::string status_text(const std::string& nspid) {
    return "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4242\nPPid:\t4200\n"
           "TracerPid:\t0\n" + nspid + "NSpgid:\t4242\t7\nNSsid:\t4200\t1\nVmPeak:\t    2400 kB\n";
}

}  // namespace

TEST_CASE("NSpid lists a pid from /proc's namespace inwards") {
    CHECK(parse_nspid(status_text("NSpid:\t4242\t7\n")) == std::vector<long>{4242, 7});
    CHECK(parse_nspid(status_text("NSpid:\t4242\n")) == std::vector<long>{4242});
    CHECK(parse_nspid(status_text("NSpid:\t4242\t300\t7\n")) == std::vector<long>{4242, 300, 7});
    CHECK(parse_nspid("NSpid:\t9\t1") == std::vector<long>{9, 1});
}

TEST_CASE("a status without NSpid, or with one the kernel would not write, gives nothing to map by") {
    CHECK(parse_nspid(status_text("")).empty());
    CHECK(parse_nspid("").empty());
    CHECK(parse_nspid(status_text("NSpid:\t4242\tx\n")).empty());
    CHECK(parse_nspid(status_text("NSpid:\t4242\t-7\n")).empty());
    CHECK(parse_nspid("XNSpid:\t1\t2\n").empty());
}

TEST_CASE("a pid of tend's namespace is found among tend's descendants in that namespace") {
    const std::vector<long> tend{5000, 1};  // tend: PID 1 of a namespace one below the caller's
    const std::vector<Descendant> below = {
        {5001, {5001, 7}},       // a service
        {5002, {5002, 8}},       // another
        {5003, {5003, 9, 7}},    // in a namespace of its own below tend's: its 7 is not tend's 7
        {5004, {5004, 12}},
    };
    CHECK(pid_where_caller_is(tend, below, 7) == 5001);
    CHECK(pid_where_caller_is(tend, below, 12) == 5004);
    CHECK_FALSE(pid_where_caller_is(tend, below, 9).has_value());
    CHECK_FALSE(pid_where_caller_is(tend, below, 13).has_value());
    CHECK_FALSE(pid_where_caller_is(tend, {{5005, {}}}, 7).has_value());
}

TEST_CASE("two namespaces down, the last column is still tend's") {
    const std::vector<long> tend{6000, 40, 1};
    CHECK(pid_where_caller_is(tend, {{6001, {6001, 41, 7}}, {6002, {6002, 7}}}, 7) == 6001);
}

TEST_CASE("in tend's own namespace a pid is itself; tend's pid is what the socket says") {
    CHECK(PidView(getpid()).outer(4242) == 4242);  // this process is no deeper than /proc's namespace
    CHECK(PidView(getpid()).outer(getpid()) == getpid());
}

TEST_CASE("where tend is out of sight nothing is mapped, and the reason is given") {
    CHECK_THROWS_WITH_AS(PidView(0).outer(7), "tend runs in a PID namespace this one does not contain", std::runtime_error);
}

}  // namespace unit_pid_view_test
