// A fresh directory under /tmp for one test, removed with everything in it.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace tend::test {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char name[] = "/tmp/tend-test-XXXXXX";
        REQUIRE(mkdtemp(name) != nullptr);
        path = name;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes `text` to `file` in the directory; returns its path.
    std::string write(const std::string& file, const std::string& text) const {
        std::ofstream(path / file) << text;
        return (path / file).string();
    }
};

}  // namespace tend::test
