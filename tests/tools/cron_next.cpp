// Prints next runs of cron schedules for tests/e2e/test_cron_compare.py.
// Reads lines "<epoch seconds>\t<count>\t<schedule>" on stdin; for each prints
// one line: the epoch seconds of the next <count> runs, or "error: <message>".
#include <iostream>
#include <string>

#include "tend/util/cron_schedule.hpp"

int main() {
    std::string line;
    while (std::getline(std::cin, line)) {
        auto tab1 = line.find('\t');
        auto tab2 = line.find('\t', tab1 + 1);
        if (tab1 == std::string::npos || tab2 == std::string::npos) return 2;
        long long from = std::stoll(line.substr(0, tab1));
        int count = std::stoi(line.substr(tab1 + 1, tab2 - tab1 - 1));
        auto parsed = tend::parse_cron_schedule(line.substr(tab2 + 1));
        if (auto* error = std::get_if<std::string>(&parsed)) {
            std::cout << "error: " << *error << '\n';
            continue;
        }
        auto at = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(from));
        std::string out;
        for (int i = 0; i < count; ++i) {
            auto next = tend::next_cron_run(std::get<tend::CronSchedule>(parsed), at);
            if (!next) break;
            at = *next;
            out += (out.empty() ? "" : " ") + std::to_string(std::chrono::system_clock::to_time_t(at));
        }
        std::cout << out << '\n';
    }
}
