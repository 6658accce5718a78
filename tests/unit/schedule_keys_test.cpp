// schedule, concurrency and timeout as the loader reads them.
#include <doctest/doctest.h>

#include "config_errors.hpp"
#include "fake_credentials.hpp"

namespace unit_schedule_keys_test {

using namespace tend;
using namespace tend::test;

namespace {

std::string job(const std::string& extra) { return "services:\n  job:\n    command: [x]\n" + extra; }

}  // namespace

TEST_CASE("a scheduled job is a one-shot that does not start with tend, unless autostart is written") {
    Config c = parse_config(job("    schedule: '*/5 * * * *'\n    timeout: 1m\n"), "t.yaml", fake_credentials);
    const ServiceSpec& s = c.services.at(0);
    REQUIRE(s.schedule);
    CHECK(s.schedule->text == "*/5 * * * *");
    CHECK(s.type == ServiceType::oneshot);
    CHECK_FALSE(s.autostart);
    CHECK(s.concurrency == Concurrency::forbid);
    CHECK(s.timeout == std::chrono::minutes(1));
    c = parse_config(job("    schedule: '@every 90s'\n    autostart: true\n    concurrency: replace\n"), "t.yaml",
                     fake_credentials);
    CHECK(c.services.at(0).autostart);
    CHECK(c.services.at(0).concurrency == Concurrency::replace);
}

TEST_CASE("a schedule's error names its field and range at the key") {
    CHECK(errors_of(job("    schedule: '*/61 * * * *'\n")) ==
          "t.yaml:4:15: services.job.schedule: minute 61 is out of range 0-59");
    CHECK(errors_of(job("    schedule: '@every soon'\n")).find("services.job.schedule: @every 'soon' is not a duration") !=
          std::string::npos);
}

TEST_CASE("keys that mean nothing without a schedule, or with it, are refused at their place") {
    CHECK(errors_of(job("    concurrency: forbid\n")) ==
          "t.yaml:4:18: services.job.concurrency: only the runs of a scheduled job (schedule:) can overlap");
    CHECK(errors_of(job("    timeout: 10s\n")) ==
          "t.yaml:4:14: services.job.timeout: bounds a run of a one-shot or scheduled job; a long-running service has "
          "stop_timeout");
    CHECK(errors_of(job("    schedule: '@hourly'\n    type: simple\n")) ==
          "t.yaml:5:11: services.job.type: a scheduled job runs to its end at each due time: leave type out or write oneshot");
    CHECK(errors_of(job("    schedule: '@hourly'\n    restart: always\n")).find("services.job.restart: a one-shot runs to its end") !=
          std::string::npos);
    CHECK(errors_of(job("    type: oneshot\n    timeout: 0s\n")).find("services.job.timeout: a run needs some time") !=
          std::string::npos);
}

TEST_CASE("depending on a scheduled job is an error: it is never running") {
    CHECK(errors_of(job("    schedule: '@hourly'\n  web:\n    command: [w]\n    depends_on: [job]\n")) ==
          "t.yaml:7:18: services.web.depends_on: job is a scheduled job: it is never running, so nothing can wait for "
          "it (a one-shot without schedule can be waited for)");
}

}  // namespace unit_schedule_keys_test
