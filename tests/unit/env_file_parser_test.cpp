#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.hpp"
#include "tend/config/env_file_parser.hpp"

namespace unit_env_file_parser_test {

using namespace tend;
using tend::test::TempDir;

namespace {


std::optional<std::string> environment(std::string_view name) {
    if (name == "OUTSIDE") return std::string("env");
    return std::nullopt;
}

}  // namespace

TEST_CASE("files are read in order: a later file wins and sees the earlier files' variables") {
    TempDir dir;
    std::string first = dir.write("1.env", "A=first\nB=first\n");
    std::string second = dir.write("2.env", "B=second\nC=${A}-$OUTSIDE\n");
    auto vars = read_env_files({{first, true}, {second, true}}, environment);
    CHECK(vars == std::map<std::string, std::string>{{"A", "first"}, {"B", "second"}, {"C", "first-env"}});
}

TEST_CASE("a missing file is skipped when not required, and an error naming it when required") {
    TempDir dir;
    std::string there = dir.write("there.env", "A=1\n");
    std::string missing = (dir.path / "missing.env").string();
    CHECK(read_env_files({{missing, false}, {there, true}}, environment).at("A") == "1");
    CHECK_THROWS_WITH(read_env_files({{there, true}, {missing, true}}, environment),
                      (missing + ": No such file or directory").c_str());
}

TEST_CASE("an optional file that exists but cannot be read is still an error") {
    TempDir dir;
    std::filesystem::create_directory(dir.path / "a-directory.env");
    const std::string path = (dir.path / "a-directory.env").string();
    CHECK_THROWS_WITH(read_env_files({{path, false}}, environment), (path + ": a directory, not a regular file").c_str());
}

}  // namespace unit_env_file_parser_test
