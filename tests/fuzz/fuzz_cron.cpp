// A `schedule:` as a user writes it: any bytes are parsed or refused with a
// message, never crash; a schedule that parses has a next run from every start
// (parse refuses those that never run), and the runs keep cron_schedule.hpp's
// promises in every zone tried: each is strictly after its start and the next
// after the one before; asking from any moment in between gives the same run
// (none was passed over); each falls on a local time its fields match, or is
// the first instant after a daylight-saving gap that swallowed a matching time.
// Expressions without CRON_TZ are also tried in zones with awkward
// transitions (Berlin's 02:00, São Paulo's midnight, Lord Howe's half hour,
// Apia's lost day), from starts just before them and one from the input's hash.
// Work is bounded: about 130 next-run searches per input, each bounded by the
// library's own day scan (libFuzzer's -timeout catches a hang).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tend/util/cron_schedule.hpp"

namespace {

using std::chrono::system_clock;
using Schedule = tend::CronSchedule;

struct Start {
    const char* zone;
    std::time_t at;
};

// Each just before a transition of its zone (UTC seconds).
constexpr Start kStarts[] = {
    {"", 1709164799},                     // 2024-02-28T23:59:59Z: a leap day next
    {"", 4102444799},                     // 2099-12-31T23:59:59Z: 2100 has no Feb 29
    {"Europe/Berlin", 1711846799},        // 01:59:59 CET, the spring-forward gap next
    {"Europe/Berlin", 1729989000},        // 02:30 CEST, the fall-back's first 02:30
    {"America/Sao_Paulo", 1541298600},    // 23:30, midnight skipped (2018-11-04)
    {"America/Sao_Paulo", 1550367000},    // 23:30 -02, the hour before midnight repeats
    {"Australia/Lord_Howe", 1728140400},  // 01:30, the clock goes 02:00 -> 02:30
    {"Australia/Lord_Howe", 1743863400},  // 01:30 +11, 01:30-02:00 repeats
    {"Pacific/Apia", 1325149200},         // 2011-12-28 23:00, Dec 30 never happens
};

// Names the broken promise (the line) before the crash libFuzzer reports.
#define EXPECT(ok) \
    do { \
        if (!(ok)) { \
            std::fprintf(stderr, "fuzz_cron.cpp:%d: %s (TZ=%s)\n", __LINE__, #ok, \
                         std::getenv("TZ") ? std::getenv("TZ") : "unset"); \
            __builtin_trap(); \
        } \
    } while (0)

// TZ for this process (the check's own view of local time; next_cron_run sets
// its own for a CRON_TZ schedule and puts this one back).
void use_zone(const std::string& zone) {
    if (zone.empty()) ::unsetenv("TZ");
    else ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
}

std::tm local(std::time_t t) {
    std::tm tm{};
    EXPECT(::localtime_r(&t, &tm) != nullptr);
    return tm;
}

bool fields_match(const Schedule& s, const std::tm& tm) {
    if (!s.seconds[static_cast<size_t>(tm.tm_sec)] || !s.minutes[static_cast<size_t>(tm.tm_min)] ||
        !s.hours[static_cast<size_t>(tm.tm_hour)] || !s.months[static_cast<size_t>(tm.tm_mon + 1)])
        return false;
    bool dom = s.days_of_month[static_cast<size_t>(tm.tm_mday)];
    bool dow = s.days_of_week[static_cast<size_t>(tm.tm_wday)];
    return s.day_or ? (dom || dow) : (dom && dow);
}

// Local time read as if it were UTC: seconds that count the wall clock.
std::time_t wall_seconds(std::tm tm) { return ::timegm(&tm); }

// `run` is on a matching local time, or it is the first instant after a gap in
// local time that held a matching one.
bool on_schedule(const Schedule& s, std::time_t run) {
    std::tm now = local(run);
    if (fields_match(s, now)) return true;
    std::time_t before = wall_seconds(local(run - 1));
    std::time_t after = wall_seconds(now);
    if (after - before <= 1 || after - before > 2 * 86400) return false;
    for (std::time_t w = before + 1; w < after; ++w) {
        std::tm tm{};
        ::gmtime_r(&w, &tm);
        if (fields_match(s, tm)) return true;
    }
    return false;
}

std::time_t next(const Schedule& s, std::time_t after) {
    auto run = tend::next_cron_run(s, system_clock::from_time_t(after));
    EXPECT(run.has_value());
    EXPECT(std::chrono::time_point_cast<std::chrono::seconds>(*run) == *run);  // whole seconds
    return system_clock::to_time_t(*run);
}

// Four runs in a row from `start`, each checked against the one before.
void follow(const Schedule& s, std::time_t start) {
    std::time_t from = start;
    for (int i = 0; i < 4; ++i) {
        std::time_t run = next(s, from);
        EXPECT(run > from);
        EXPECT(on_schedule(s, run));
        if (run - from > 1) {
            EXPECT(next(s, from + (run - from) / 2) == run);  // nothing passed over in between
            EXPECT(next(s, run - 1) == run);
        }
        from = run;
    }
}

void follow_every(const Schedule& s, std::time_t start) {
    auto from = system_clock::from_time_t(start);
    for (int i = 0; i < 3; ++i) {
        auto run = tend::next_cron_run(s, from);
        EXPECT(run.has_value() && *run > from);
        EXPECT(*run == std::chrono::time_point_cast<std::chrono::seconds>(from) + *s.every);
        from = *run;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = tend::parse_cron_schedule(text);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        EXPECT(!error->empty());
        return 0;
    }
    Schedule schedule = std::get<Schedule>(std::move(parsed));
    // Somewhere from 1971 to 2099, different for each input.
    std::time_t hashed = 31536000 + static_cast<std::time_t>(std::hash<std::string_view>{}(text) % 4000000000ULL);
    std::vector<Start> starts(std::begin(kStarts), std::end(kStarts));
    starts.push_back({"", hashed});
    starts.push_back({"Europe/Berlin", hashed});
    for (const Start& start : starts) {
        if (schedule.every) {
            follow_every(schedule, start.at);
            continue;
        }
        // A CRON_TZ zone is the schedule's own: every start is tried in it.
        Schedule tried = schedule;
        if (tried.zone.empty()) tried.zone = start.zone;
        use_zone(tried.zone);
        follow(tried, start.at);
    }
    use_zone("");
    return 0;
}
