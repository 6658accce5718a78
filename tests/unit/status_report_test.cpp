#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tend/control/protocol.hpp"
#include "tend/control/status_report.hpp"

namespace unit_status_report_test {

using namespace tend;

namespace {

// What the reply was before it was written straight: a json tree, dumped by encode_ok.
std::string through_json(const std::vector<ServiceStatus>& services) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : services) list.push_back(encode_status(s));
    return encode_ok(list);
}

ServiceStatus running(const std::string& name) {
    ServiceStatus s;
    s.name = name;
    s.state = "running";
    s.pid = 4242;
    s.uptime_seconds = 12.345678901;
    s.want = Want::up;
    return s;
}

}  // namespace

TEST_CASE("the status reply is byte for byte what the json tree dumped") {
    std::vector<ServiceStatus> services;
    CHECK(encode_status_reply(services) == through_json(services));
    services.push_back(running("web"));
    CHECK(encode_status_reply(services) == through_json(services));

    ServiceStatus crashed = running("w\xC3\xA9\"b\\\n\x01\xFF");  // escapes and an invalid byte
    crashed.state = "backoff";
    crashed.pid.reset();
    crashed.uptime_seconds = 3.0;
    crashed.restarts = 7;
    crashed.last_exit = ExitStatus::killed(9);
    crashed.stopped_by_operator = true;
    crashed.status_text = "Serving \"all\"";
    crashed.waiting = "waiting for db: not ready yet (12s)";
    services.push_back(crashed);

    ServiceStatus failed = running("migrate");
    failed.state = "fatal";
    failed.uptime_seconds = std::numeric_limits<double>::infinity();
    failed.last_exit = ExitStatus::exited(3);
    failed.fatal_reason = "exited too quickly (5 times in a row)";
    failed.blocked_reason = "blocked by x";
    failed.want = Want::down;
    services.push_back(failed);

    ServiceStatus checked = running("api");
    checked.uptime_seconds = 1e-7;
    checked.health = "unhealthy";
    checked.health_failures = 2;
    checked.health_retries = 3;
    checked.health_output = "HTTP 503\x80";
    checked.health_checked_ago = 0.25;
    services.push_back(checked);

    ServiceStatus job = running("backup");
    job.uptime_seconds = 123456789.5;
    job.job = JobTimes{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)),
                       LastRun{std::chrono::system_clock::time_point(std::chrono::seconds(1'799'999'000)), "completed", 1.5}};
    job.next_run_in = 60.0;
    services.push_back(job);

    CHECK(encode_status_reply(services) == through_json(services));
}

}  // namespace unit_status_report_test
