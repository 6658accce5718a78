#include <doctest/doctest.h>

#include <cstdint>
#include <unordered_set>

#include "tend/util/hash_set64.hpp"

namespace unit_hash_set64_test {

using namespace tend;

TEST_CASE("a hash is new once, however many others come between") {
    HashSet64 set;
    CHECK(set.insert(42));
    CHECK_FALSE(set.insert(42));
    CHECK(set.insert(0));  // the empty-slot marker is a hash like any other
    CHECK_FALSE(set.insert(0));
    CHECK(set.size() == 2);
}

TEST_CASE("the set agrees with std::unordered_set over 200,000 hashes with repeats, through its growth") {
    HashSet64 set;
    std::unordered_set<std::uint64_t> reference;
    std::uint64_t x = 1;
    for (int i = 0; i < 200'000; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        const std::uint64_t hash = i % 3 == 0 ? (x >> 48) : (x & 0xFFFF000000000000ULL);  // many alike low bits
        CHECK(set.insert(hash) == reference.insert(hash).second);
    }
    CHECK(set.size() == reference.size());
}

}  // namespace unit_hash_set64_test
