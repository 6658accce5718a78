#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "tend/http/metrics_page.hpp"
#include "tend/http/metrics_text.hpp"

namespace unit_metrics_text_test {

using namespace tend;

TEST_CASE("a label value escapes backslash, double quote and newline, and nothing else") {
    CHECK(escape_label_value("web") == "web");
    CHECK(escape_label_value("a\\b") == "a\\\\b");
    CHECK(escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(escape_label_value("two\nlines") == "two\\nlines");
    CHECK(escape_label_value("tab\there é") == "tab\there é");
}

TEST_CASE("sample values: whole numbers without a fraction, others in their shortest form, NaN and infinities by name") {
    CHECK(format_sample_value(0) == "0");
    CHECK(format_sample_value(42) == "42");
    CHECK(format_sample_value(-3) == "-3");
    CHECK(format_sample_value(0.25) == "0.25");
    CHECK(format_sample_value(1796514111.639014) == "1796514111.639014");
    CHECK(format_sample_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(format_sample_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_sample_value(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("a family is its HELP and TYPE lines, then its samples with labels in the order given") {
    MetricsText out;
    out.family("tend_service_up", MetricsText::Type::gauge, "1 while up\\down\nsecond line");
    out.sample("tend_service_up", {{"service", "we\"b"}, {"group", "web"}}, 1);
    out.family("tend_orphans_reaped_total", MetricsText::Type::counter, "reaped");
    out.sample("tend_orphans_reaped_total", 7);
    CHECK(out.text() ==
          "# HELP tend_service_up 1 while up\\\\down\\nsecond line\n"
          "# TYPE tend_service_up gauge\n"
          "tend_service_up{service=\"we\\\"b\",group=\"web\"} 1\n"
          "# HELP tend_orphans_reaped_total reaped\n"
          "# TYPE tend_orphans_reaped_total counter\n"
          "tend_orphans_reaped_total 7\n");
}

TEST_CASE("the metrics page has a sample of each service, and leaves out figures a service does not have") {
    ServiceMetrics web;
    web.status.name = "web-0";
    web.group = "web";
    web.status.state = "running";
    web.status.pid = 12;
    web.status.restarts = 2;
    web.ready = true;
    web.start_time = 1000.5;
    web.usage = {1.5, 4096};
    ServiceMetrics job;
    job.status.name = "job";
    job.group = "job";
    job.status.state = "failed";
    job.status.last_exit = ExitStatus::killed(9);
    TendMetrics self;
    self.orphans_reaped = 3;
    self.requests[0] = 5;
    std::string page = metrics_page({web, job}, self);
    CHECK(page.find("tend_service_up{service=\"web-0\",group=\"web\"} 1\n") != std::string::npos);
    CHECK(page.find("tend_service_up{service=\"job\",group=\"job\"} 0\n") != std::string::npos);
    CHECK(page.find("tend_service_state{service=\"job\",group=\"job\",state=\"failed\"} 1\n") != std::string::npos);
    CHECK(page.find("tend_service_restarts_total{service=\"web-0\",group=\"web\"} 2\n") != std::string::npos);
    CHECK(page.find("tend_service_last_exit_code{service=\"job\",group=\"job\"} 137\n") != std::string::npos);
    CHECK(page.find("tend_service_last_exit_code{service=\"web-0\"") == std::string::npos);
    CHECK(page.find("tend_service_start_time_seconds{service=\"web-0\",group=\"web\"} 1000.5\n") != std::string::npos);
    CHECK(page.find("tend_service_start_time_seconds{service=\"job\"") == std::string::npos);
    CHECK(page.find("tend_service_healthy{") == std::string::npos);
    CHECK(page.find("tend_service_cpu_seconds_total{service=\"web-0\",group=\"web\"} 1.5\n") != std::string::npos);
    CHECK(page.find("tend_service_resident_memory_bytes{service=\"web-0\",group=\"web\"} 4096\n") != std::string::npos);
    CHECK(page.find("tend_orphans_reaped_total 3\n") != std::string::npos);
    CHECK(page.find("tend_requests_total{front=\"control\"} 5\n") != std::string::npos);
    CHECK(page.find("tend_requests_total{front=\"http\"} 0\n") != std::string::npos);
}

}  // namespace unit_metrics_text_test
