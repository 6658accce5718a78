#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tend/output/rotating_file.hpp"

using namespace tend;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("tend-rotate-" + std::to_string(getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("lines are appended to the file, and to what it held before") {
    TempDir dir;
    fs::path log = dir.path / "web.log";
    std::ofstream(log) << "old\n";
    RotatingFile file("web", log.string(), 1024, 2);
    file.write("one\n");
    file.write("two\n");
    CHECK(slurp(log) == "old\none\ntwo\n");
    CHECK(file.healthy());
}

TEST_CASE("a write that would pass max_size rotates first, keeping log_keep old files") {
    TempDir dir;
    fs::path log = dir.path / "web.log";
    RotatingFile file("web", log.string(), 10, 2);
    file.write("aaaaaaaa\n");  // 9 bytes
    file.write("bbbbbbbb\n");  // would be 18: rotate
    file.write("cccccccc\n");
    file.write("dddddddd\n");
    CHECK(slurp(log) == "dddddddd\n");
    CHECK(slurp(log.string() + ".1") == "cccccccc\n");
    CHECK(slurp(log.string() + ".2") == "bbbbbbbb\n");
    CHECK_FALSE(fs::exists(log.string() + ".3"));
}

TEST_CASE("with log_keep 0 the file is truncated instead of rotated") {
    TempDir dir;
    fs::path log = dir.path / "web.log";
    RotatingFile file("web", log.string(), 10, 0);
    file.write("aaaaaaaa\n");
    file.write("bbbbbbbb\n");
    CHECK(slurp(log) == "bbbbbbbb\n");
    CHECK_FALSE(fs::exists(log.string() + ".1"));
}

TEST_CASE("a file that cannot be opened is reported, not fatal, and picked up once it can be") {
    TempDir dir;
    fs::path log = dir.path / "missing-dir" / "web.log";
    RotatingFile file("web", log.string(), 1024, 1);
    CHECK_FALSE(file.healthy());
    file.write("lost\n");
    fs::create_directories(log.parent_path());
    file.write("kept\n");
    CHECK(file.healthy());
    CHECK(slurp(log) == "kept\n");
}

TEST_CASE("a full disk is reported and the writes go on failing quietly") {
    if (!fs::exists("/dev/full")) return;
    RotatingFile file("web", "/dev/full", 1 << 20, 0);
    file.write("x\n");
    CHECK_FALSE(file.healthy());
    file.write("y\n");
    CHECK_FALSE(file.healthy());
}
