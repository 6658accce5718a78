// The next run of a cron schedule, in the local time of its zone.
//
// Local time comes from the libc tz database (localtime_r/mktime): libstdc++ 12
// (Debian 12) has no std::chrono::tzdb, so a CRON_TZ zone is applied by
// switching TZ around the conversion under a lock (the supervisor's one thread
// is the only caller; the lock keeps tests with threads honest).
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <tuple>

#include "tend/util/cron_schedule.hpp"

namespace tend {
namespace {

using std::chrono::system_clock;
using Wall = std::tuple<int, int, int, int, int, int>;  // year, month, day, hour, minute, second

std::mutex zone_mutex;

// Sets TZ to `zone` for its lifetime (nothing when empty) and puts it back.
class ZoneScope {
public:
    explicit ZoneScope(const std::string& zone) : lock_(zone_mutex), switched_(!zone.empty()) {
        if (!switched_) return;
        const char* old = std::getenv("TZ");
        had_old_ = old != nullptr;
        if (had_old_) old_ = old;
        ::setenv("TZ", zone.c_str(), 1);
        ::tzset();
    }
    ~ZoneScope() {
        if (!switched_) return;
        if (had_old_) ::setenv("TZ", old_.c_str(), 1);
        else ::unsetenv("TZ");
        ::tzset();
    }
    ZoneScope(const ZoneScope&) = delete;
    ZoneScope& operator=(const ZoneScope&) = delete;

private:
    std::lock_guard<std::mutex> lock_;
    bool switched_;
    bool had_old_ = false;
    std::string old_;
};

Wall wall_of(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

// The wall second after `t`'s own. Not wall_of(t + 1): when `t` is the last
// second before a spring-forward gap, that is the gap's end, and a time the gap
// swallowed, due at that end, would be passed over to the next day.
Wall wall_second_after(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    tm.tm_sec += 1;
    std::time_t counted = ::timegm(&tm);  // normalizes the wall time as if it were UTC
    ::gmtime_r(&counted, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

std::tm tm_of(const Wall& wall) {
    std::tm tm{};
    std::tie(tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) = wall;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return tm;
}

// The earliest instant whose local time is `wall`; for a wall time skipped by a
// gap, the first instant after the gap.
std::time_t instant_of(const Wall& wall) {
    std::time_t best = 0;
    bool found = false;
    for (int dst : {-1, 0, 1}) {
        std::tm tm = tm_of(wall);
        tm.tm_isdst = dst;
        std::time_t t = ::mktime(&tm);
        if (wall_of(t) == wall && (!found || t < best)) {
            best = t;
            found = true;
        }
    }
    if (found) return best;
    // In a gap: the first instant whose local time is past `wall`. UTC offsets lie
    // within 16 hours of UTC, so this span holds it however long the gap (mktime's
    // guesses do not: Pacific/Apia skipped the whole of 2011-12-30).
    std::tm as_utc = tm_of(wall);
    std::time_t low = ::timegm(&as_utc) - 16 * 3600;
    std::time_t high = low + 32 * 3600;
    while (low + 1 < high) {
        std::time_t mid = low + (high - low) / 2;
        (wall_of(mid) > wall ? high : low) = mid;
    }
    return high;
}

bool day_matches(const CronSchedule& s, std::chrono::year_month_day date) {
    if (!s.months[static_cast<unsigned>(date.month())]) return false;
    bool dom = s.days_of_month[static_cast<unsigned>(date.day())];
    bool dow = s.days_of_week[std::chrono::weekday(std::chrono::sys_days(date)).c_encoding()];
    return s.day_or ? (dom || dow) : (dom && dow);
}

// The first matching time of day on `date` at or after `from` (h, m, s) whose
// instant is after `after`.
std::optional<std::time_t> run_on_day(const CronSchedule& s, std::chrono::year_month_day date,
                                      std::tuple<int, int, int> from, std::time_t after) {
    auto [from_h, from_m, from_s] = from;
    for (int h = from_h; h < 24; ++h) {
        if (!s.hours[static_cast<size_t>(h)]) continue;
        for (int m = h == from_h ? from_m : 0; m < 60; ++m) {
            if (!s.minutes[static_cast<size_t>(m)]) continue;
            bool first_minute = h == from_h && m == from_m;
            for (int sec = first_minute ? from_s : 0; sec < 60; ++sec) {
                if (!s.seconds[static_cast<size_t>(sec)]) continue;
                Wall wall{static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
                          static_cast<int>(static_cast<unsigned>(date.day())), h, m, sec};
                std::time_t t = instant_of(wall);
                if (t > after) return t;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<system_clock::time_point> next_cron_run(const CronSchedule& schedule, system_clock::time_point after) {
    if (schedule.every)
        return std::chrono::time_point_cast<std::chrono::seconds>(after) +
               std::chrono::duration_cast<system_clock::duration>(*schedule.every);
    std::time_t after_t = system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(after));
    ZoneScope zone(schedule.zone);
    auto [y, mo, d, h, mi, s] = wall_second_after(after_t);
    std::chrono::sys_days day = std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                                            std::chrono::day(static_cast<unsigned>(d))};
    std::tuple<int, int, int> from{h, mi, s};
    // The Gregorian calendar repeats every 400 years (146097 days), so every day
    // the parser lets through comes round within them. Fewer do not do: with both
    // day fields ANDed (`29 2 */2`, a Feb 29 on an even weekday) the next can be
    // 16 years off or more.
    for (int i = 0; i <= 146097; ++i, ++day, from = {0, 0, 0}) {
        std::chrono::year_month_day date(day);
        if (!day_matches(schedule, date)) continue;
        if (auto t = run_on_day(schedule, date, from, after_t)) return system_clock::from_time_t(*t);
    }
    return std::nullopt;
}

}  // namespace tend
