// A `status` reply as tendctl prints it: each service's fields that the table
// shows, read as the reply's text streams by (a SAX reader, util/json_scanner), without building
// the JSON document: for 1,000 services that document is some 20,000 map
// nodes, and building and freeing them was most of what `tendctl status` did.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tend {

// A row's parts, declared outside it: clang decides whether a nested struct
// with member initializers can be default-constructed before the enclosing
// struct is complete, which would make its std::optional unusable.
struct StatusExit {
    std::string signal;  // empty: it exited with `code`
    long long code = 0;
};
struct StatusHealthCheck {
    long long failures = 0, retries = 0;
    std::string output;
    std::optional<double> took, checked_ago;
};
struct StatusJobRun {
    std::optional<std::string> started, result;
    std::optional<double> seconds;
};
struct StatusJob {
    std::optional<std::string> next;
    std::optional<double> next_in;
    std::optional<StatusJobRun> last;
};

struct StatusRow {
    using Exit = StatusExit;
    using HealthCheck = StatusHealthCheck;
    using JobRun = StatusJobRun;
    using Job = StatusJob;

    std::string name, state;
    std::optional<long long> pid;
    std::optional<double> uptime;
    long long restarts = 0;
    std::optional<Exit> last_exit;
    // Text fields tend sends as null when they have nothing to say.
    std::optional<std::string> blocked_reason, waiting, fatal_reason, status_text, health;
    std::optional<HealthCheck> health_check;
    std::optional<Job> job;
    bool stopped_by_operator = false;
};

struct StatusReply {
    bool ok = false;
    std::string error;  // when not ok
    std::vector<StatusRow> rows;
};

// Reads one reply line. Members it does not know are skipped, whatever they
// hold (a newer tend may send more); a value of another type than expected is
// left out. Throws std::runtime_error when the text is not one JSON object.
StatusReply read_status_reply(std::string_view line);

}  // namespace tend
