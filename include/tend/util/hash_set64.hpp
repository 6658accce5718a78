// A set of 64-bit hashes in one flat table (open addressing, linear probing):
// remembering 200,000 of them costs one allocation per doubling, not one node
// each (the config reader's "said once" record of a file's errors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tend {

class HashSet64 {
public:
    // Adds `hash`; true when it was not in the set yet.
    bool insert(std::uint64_t hash);
    std::size_t size() const { return size_; }

private:
    void grow();

    std::vector<std::uint64_t> slots_;  // 0 marks an empty slot; the hash 0 is kept by has_zero_
    std::size_t size_ = 0;
    bool has_zero_ = false;
};

}  // namespace tend
