#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tend/output/rotating_file.hpp"

namespace unit_rotating_file_test {

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

TEST_CASE("a device is written to but never rotated: a mknod copy of /dev/null stays itself") {
    TempDir dir;
    fs::path null_copy = dir.path / "null";
    REQUIRE(mknod(null_copy.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);  // tests run as root
    {
        RotatingFile file("svc", null_copy, 4096, 2);
        for (int i = 0; i < 1000; ++i) file.write("a line of some length to pass max_size quickly\n");
        CHECK(file.healthy());
    }
    struct stat st {};
    REQUIRE(lstat(null_copy.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK_FALSE(fs::exists(dir.path / "null.1"));
}

TEST_CASE("rotation never renames onto something that is not a regular file") {
    TempDir dir;
    fs::path log = dir.path / "svc.log";
    fs::path fifo = dir.path / "svc.log.1";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    {
        RotatingFile file("svc", log, 4096, 2);
        for (int i = 0; i < 200; ++i) file.write("a line of some length to pass max_size quickly\n");
    }
    struct stat st {};
    REQUIRE(lstat(fifo.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
}

TEST_CASE("a FIFO log file with no reader does not block the writer") {
    TempDir dir;
    fs::path fifo = dir.path / "pipe.log";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    RotatingFile file("svc", fifo, 4096, 2);  // would block in open() without O_NONBLOCK
    file.write("dropped, and reported\n");
    CHECK_FALSE(file.healthy());
}

}  // namespace unit_rotating_file_test
