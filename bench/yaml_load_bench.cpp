// yaml-cpp's share of `tend check`: the time YAML::Load takes to build the
// tree of a file, and the time to free it, with the heap prepared as tend
// check prepares it (huge pages for a big file). bench/validation_bench.py
// builds and runs it beside `tend check` of the same file; by hand, from the
// top directory:
//
//   g++ -O2 -std=c++20 -Iinclude bench/yaml_load_bench.cpp src/util/huge_page_heap.cpp -l:libyaml-cpp.a \
//       -o /tmp/yaml_load_bench && /tmp/yaml_load_bench FILE
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tend/util/huge_page_heap.hpp"

namespace {

double ms_since(std::chrono::steady_clock::time_point began) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: yaml_load_bench FILE\n");
        return 2;
    }
    struct stat file {};
    if (stat(argv[1], &file) == 0 && file.st_size > (1 << 20))
        tend::prefer_huge_pages_for_heap(std::min<std::size_t>(static_cast<std::size_t>(file.st_size) * 80, std::size_t(1) << 30));
    std::ifstream in(argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    auto began = std::chrono::steady_clock::now();
    double load = 0;
    {
        YAML::Node root = YAML::Load(text.str());
        load = ms_since(began);
        began = std::chrono::steady_clock::now();
    }
    std::printf("load %.1f ms, free %.1f ms\n", load, ms_since(began));
}
