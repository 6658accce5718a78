#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tend/event/loop_clock.hpp"
#include "tend/supervisor/config_reader.hpp"

namespace unit_config_reader_test {

using namespace tend;
using namespace std::chrono_literals;

namespace {

struct TempConfig {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("tend-reader-" + std::to_string(getpid()) + ".yaml");
    explicit TempConfig(const std::string& text) { write(text); }
    ~TempConfig() { std::filesystem::remove(path); }
    void write(const std::string& text) const { std::ofstream(path) << text; }
};

void run_until(EventLoop& loop, const bool& flag) {
    for (int i = 0; i < 1000 && !flag; ++i) loop.run_once(10ms);
    REQUIRE(flag);
}

}  // namespace

TEST_CASE("a read hands back the config, or its errors, on the loop") {
    EventLoop loop;
    TempConfig file("services:\n  web:\n    command: [web]\n");
    LoopClock clock(loop);
    ConfigReader reader(loop, clock, file.path.string());
    std::optional<ConfigReader::Result> got;
    bool done = false;
    reader.read([&](const ConfigReader::Result& r) {
        got = r;
        done = true;
    });
    CHECK_FALSE(done);  // never from within read()
    CHECK(reader.busy());
    run_until(loop, done);
    REQUIRE(got->config.has_value());
    CHECK(got->config->services.at(0).name == "web");
    CHECK_FALSE(reader.busy());

    file.write("services:\n  web:\n    comand: [web]\n");
    done = false;
    reader.read([&](const ConfigReader::Result& r) {
        got = r;
        done = true;
    });
    run_until(loop, done);
    CHECK_FALSE(got->config.has_value());
    REQUIRE_FALSE(got->errors.empty());
    bool named = false;
    for (const Diagnostic& d : got->errors) named = named || d.message.find("unknown key 'comand'") != std::string::npos;
    CHECK(named);
}

TEST_CASE("requests made during a read share one more read after it") {
    EventLoop loop;
    TempConfig file("services:\n  a:\n    command: [a]\n");
    LoopClock clock(loop);
    ConfigReader reader(loop, clock, file.path.string());
    int first = 0, later = 0;
    bool all_done = false;
    reader.read([&](const ConfigReader::Result&) { ++first; });
    reader.read([&](const ConfigReader::Result&) { ++later; });
    reader.read([&](const ConfigReader::Result&) {
        ++later;
        all_done = true;
    });
    run_until(loop, all_done);
    CHECK(first == 1);
    CHECK(later == 2);
    CHECK(reader.reads_begun() == 2);
}

}  // namespace unit_config_reader_test
