#include "tend/util/hash_set64.hpp"

namespace tend {
namespace {

// The hashes come from std::hash and from XORed places: spread their bits
// before taking the low ones as a slot.
std::size_t slot_of(std::uint64_t hash, std::size_t mask) {
    hash ^= hash >> 33;
    hash *= 0xFF51AFD7ED558CCDULL;
    hash ^= hash >> 33;
    return static_cast<std::size_t>(hash) & mask;
}

}  // namespace

bool HashSet64::insert(std::uint64_t hash) {
    if (hash == 0) {
        if (has_zero_) return false;
        has_zero_ = true;
        ++size_;
        return true;
    }
    if ((size_ + 1) * 2 > slots_.size()) grow();  // at most half full: probes stay short
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(hash, mask);; i = (i + 1) & mask) {
        if (slots_[i] == hash) return false;
        if (slots_[i] == 0) {
            slots_[i] = hash;
            ++size_;
            return true;
        }
    }
}

void HashSet64::grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t hash : old) {
        if (hash == 0) continue;
        std::size_t i = slot_of(hash, mask);
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = hash;
    }
}

}  // namespace tend
