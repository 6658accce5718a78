// Parses cron expressions into bit sets (see cron_schedule.hpp).
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tend/util/cron_schedule.hpp"

namespace tend {
namespace {

struct FieldSpec {
    const char* name;
    int low;
    int high;
    const char* const* names;  // names[0] is `low`'s name, or nullptr
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec", nullptr};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

constexpr FieldSpec kSecond{"second", 0, 59, nullptr};
constexpr FieldSpec kMinute{"minute", 0, 59, nullptr};
constexpr FieldSpec kHour{"hour", 0, 23, nullptr};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames};
// 7 is Sunday too, as in every cron.
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, kDayNames};

using Bits = std::bitset<64>;
using FieldResult = std::variant<Bits, std::string>;

std::string range_text(const FieldSpec& spec) {
    return std::to_string(spec.low) + "-" + std::to_string(spec.high);
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

// A number or a name; error text on failure.
std::variant<int, std::string> parse_value(const FieldSpec& spec, std::string_view text) {
    if (spec.names) {
        for (int i = 0; spec.names[i]; ++i) {
            if (lower(text) == spec.names[i]) return spec.low + i;
        }
    }
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec == std::errc::result_out_of_range) {
        if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos)
            return std::string(spec.name) + " " + std::string(text) + " is out of range " + range_text(spec);
    }
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::string(spec.name) + " '" + std::string(text) + "' is not a number" +
               (spec.names ? " or a name" : "");
    if (value < spec.low || value > spec.high)
        return std::string(spec.name) + " " + std::to_string(value) + " is out of range " + range_text(spec);
    return value;
}

// One list item: `*`, `a`, `a-b`, each with an optional `/step`.
FieldResult parse_item(const FieldSpec& spec, std::string_view item) {
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
        auto parsed = parse_value(FieldSpec{spec.name, 1, spec.high - spec.low + 1, nullptr}, item.substr(slash + 1));
        if (auto* error = std::get_if<std::string>(&parsed)) {
            std::string_view step_text = item.substr(slash + 1);
            if (step_text == "0") return std::string(spec.name) + " step 0 must be at least 1";
            // `*/61` names the value a person reads: minute 61.
            if (error->find("out of range") != std::string::npos)
                return std::string(spec.name) + " " + std::string(step_text) + " is out of range " + range_text(spec);
            return *error;
        }
        step = std::get<int>(parsed);
        item = item.substr(0, slash);
    }
    int first = spec.low;
    int last = spec.high;
    if (item != "*") {
        auto dash = item.find('-');
        auto parsed_first = parse_value(spec, item.substr(0, dash));
        if (auto* error = std::get_if<std::string>(&parsed_first)) return *error;
        first = std::get<int>(parsed_first);
        last = step > 1 ? spec.high : first;  // `5/15` means 5-max/15
        if (dash != std::string_view::npos) {
            auto parsed_last = parse_value(spec, item.substr(dash + 1));
            if (auto* error = std::get_if<std::string>(&parsed_last)) return *error;
            last = std::get<int>(parsed_last);
            if (last < first)
                return std::string(spec.name) + " range " + std::to_string(first) + "-" + std::to_string(last) +
                       " runs backwards";
        }
    }
    Bits bits;
    for (int v = first; v <= last; v += step) bits.set(static_cast<size_t>(v));
    return bits;
}

FieldResult parse_field(const FieldSpec& spec, std::string_view text) {
    Bits bits;
    size_t start = 0;
    while (true) {
        size_t comma = text.find(',', start);
        std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        if (item.empty()) return std::string(spec.name) + " field '" + std::string(text) + "' has an empty list item";
        FieldResult one = parse_item(spec, item);
        if (auto* error = std::get_if<std::string>(&one)) return *error;
        bits |= std::get<Bits>(one);
        if (comma == std::string_view::npos) return bits;
        start = comma + 1;
    }
}

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
        if (i > start) words.push_back(text.substr(start, i - start));
    }
    return words;
}

template <size_t N>
std::bitset<N> narrow(const Bits& bits) {
    std::bitset<N> out;
    for (size_t i = 0; i < N; ++i) out[i] = bits[i];
    return out;
}

// Whether some month in the set has some day in the set (Feb 29 counts).
bool some_day_exists(const CronSchedule& s) {
    constexpr std::array<int, 13> kLongest{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; ++m) {
        for (int d = 1; s.months[static_cast<size_t>(m)] && d <= kLongest[static_cast<size_t>(m)]; ++d) {
            if (s.days_of_month[static_cast<size_t>(d)]) return true;
        }
    }
    return false;
}

std::variant<CronSchedule, std::string> parse_fields(std::vector<std::string_view> words, CronSchedule schedule) {
    if (words.size() != 5 && words.size() != 6)
        return "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, got " +
               std::to_string(words.size());
    if (words.size() == 5) {
        std::vector<std::string_view> with_seconds{"0"};
        with_seconds.insert(with_seconds.end(), words.begin(), words.end());
        words = std::move(with_seconds);
    }
    const FieldSpec* specs[] = {&kSecond, &kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
    Bits bits[6];
    for (size_t i = 0; i < 6; ++i) {
        FieldResult parsed = parse_field(*specs[i], words[i]);
        if (auto* error = std::get_if<std::string>(&parsed)) return *error;
        bits[i] = std::get<Bits>(parsed);
    }
    if (bits[5][7]) bits[5].set(0);
    schedule.seconds = narrow<60>(bits[0]);
    schedule.minutes = narrow<60>(bits[1]);
    schedule.hours = narrow<24>(bits[2]);
    schedule.days_of_month = narrow<32>(bits[3]);
    schedule.months = narrow<13>(bits[4]);
    schedule.days_of_week = narrow<7>(bits[5]);
    // Vixie cron: a day field starting with `*` leaves the other to decide alone.
    schedule.day_or = words[3][0] != '*' && words[5][0] != '*';
    if (!schedule.day_or && words[5][0] == '*' && !some_day_exists(schedule))
        return "'" + std::string(words[3]) + " " + std::string(words[4]) + "' never runs: no such day in those months";
    return schedule;
}

std::string_view macro_fields(std::string_view word) {
    static constexpr std::pair<std::string_view, std::string_view> kMacros[] = {
        {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"},  {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    for (const auto& [name, fields] : kMacros) {
        if (lower(word) == name) return fields;
    }
    return {};
}

// A zone file: the tz directory also holds tables (zone.tab, tzdata.zi ...) that
// libc would not load, leaving the job on UTC without a word; a TZif file starts "TZif".
bool zone_exists(const std::string& zone) {
    if (zone == "UTC") return true;
    if (zone.empty() || zone[0] == '/' || zone.find("..") != std::string::npos) return false;
    const char* dir = std::getenv("TZDIR");
    std::filesystem::path path = std::filesystem::path(dir ? dir : "/usr/share/zoneinfo") / zone;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return false;
    std::ifstream file(path, std::ios::binary);
    char magic[4] = {};
    return file.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "TZif";
}

std::variant<CronSchedule, std::string> parse_macro(std::vector<std::string_view> words, CronSchedule schedule) {
    std::string word = lower(words[0]);
    if (word == "@every") {
        if (words.size() != 2) return std::string("@every takes one duration, e.g. '@every 90s'");
        auto every = parse_duration(words[1]);
        if (!every) return "@every '" + std::string(words[1]) + "' is not a duration (e.g. 90s, 5m, 1h30m)";
        if (*every < std::chrono::seconds(1)) return std::string("@every needs at least 1s");
        schedule.every = *every;
        return schedule;
    }
    if (word == "@reboot") return std::string("@reboot is not a schedule: a service without schedule: starts at boot");
    std::string_view fields = macro_fields(word);
    if (fields.empty())
        return "unknown macro '" + std::string(words[0]) +
               "' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly @every)";
    if (words.size() != 1) return "'" + std::string(words[0]) + "' takes no fields after it";
    return parse_fields(split_words(fields), std::move(schedule));
}

}  // namespace

std::variant<CronSchedule, std::string> parse_cron_schedule(std::string_view text) {
    if (text.size() > 1024) return std::string("schedule is longer than 1024 characters");
    std::vector<std::string_view> words = split_words(text);
    CronSchedule schedule;
    if (!words.empty() && words[0].substr(0, 8) == "CRON_TZ=") {
        schedule.zone = std::string(words[0].substr(8));
        if (!zone_exists(schedule.zone)) return "CRON_TZ: unknown time zone '" + schedule.zone + "'";
        words.erase(words.begin());
    }
    if (words.empty()) return std::string("schedule is empty");
    if (words[0][0] == '@') return parse_macro(std::move(words), std::move(schedule));
    return parse_fields(std::move(words), std::move(schedule));
}

}  // namespace tend
