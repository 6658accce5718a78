// A `schedule:` as tend.yaml writes it: a cron expression (5 fields, or 6 with
// leading seconds; names, ranges, steps, lists), a macro (@yearly … @hourly),
// `@every <duration>`, each with an optional `CRON_TZ=Zone ` prefix.
//
// Times are computed in the local time of the zone (CRON_TZ, else tend's TZ)
// through the libc tz database; daylight-saving rules (docs/configuration.md,
// "Scheduled jobs"):
//  - a wall time skipped by a spring-forward gap runs once, at the first instant
//    after the gap (several skipped times collapse into that one run);
//  - a wall time repeated by a fall-back runs once, at its first occurrence;
//  - @every counts elapsed time and ignores the wall clock.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "tend/util/duration.hpp"

namespace tend {

struct CronSchedule {
    std::bitset<60> seconds;
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days_of_month;  // 1..31
    std::bitset<13> months;         // 1..12
    std::bitset<7> days_of_week;    // 0 = Sunday
    // Vixie cron: when both day fields are restricted a day matching either runs.
    bool day_or = false;
    std::optional<Duration> every;  // @every: elapsed time, the fields are unused
    std::string zone;               // CRON_TZ; empty: the process's TZ
};

// The schedule, or a message naming the field and its range
// ("minute 61 is out of range 0-59"), without the config path.
std::variant<CronSchedule, std::string> parse_cron_schedule(std::string_view text);

// The first run strictly after `after` (whole seconds), or nullopt when none
// exists within the search bound (parse already refuses schedules that never run).
std::optional<std::chrono::system_clock::time_point> next_cron_run(
    const CronSchedule& schedule, std::chrono::system_clock::time_point after);

}  // namespace tend
