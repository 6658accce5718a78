#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tend/util/regular_file.hpp"

namespace unit_regular_file_test {

using namespace tend;

namespace {

struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("tend-regular-" + std::to_string(getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("a regular file is read whole; anything else is refused with the reason alone") {
    Dir dir;
    const std::string file = (dir.path / "a.conf").string();
    std::ofstream(file) << "x: 1\n";
    CHECK(read_regular_file(file, 1 << 20) == "x: 1\n");
    CHECK_THROWS_WITH_AS(read_regular_file((dir.path / "missing").string(), 1 << 20), "No such file or directory",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(read_regular_file(dir.path.string(), 1 << 20), "a directory, not a regular file",
                         std::runtime_error);
    const std::string fifo = (dir.path / "fifo").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    // Without a writer, a blocking open would never return.
    CHECK_THROWS_WITH_AS(read_regular_file(fifo, 1 << 20), "a FIFO, not a regular file", std::runtime_error);
    std::ofstream(file) << std::string((1 << 20) + 1, 'x');
    CHECK_THROWS_WITH_AS(read_regular_file(file, 1 << 20), "larger than 1 MiB", std::runtime_error);
}

}  // namespace unit_regular_file_test
