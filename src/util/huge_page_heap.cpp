#include "tend/util/huge_page_heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace tend {

void prefer_huge_pages_for_heap(std::size_t bytes) {
    constexpr std::uintptr_t kHugePage = 2u << 20;
    if (bytes < 4 * kHugePage) return;
    // malloc then grows the heap (brk) by `bytes` at its next growth: one
    // mapping, reserved, not yet resident, that madvise can mark as a whole.
    if (mallopt(M_TOP_PAD, static_cast<int>(bytes)) == 0) return;
    // Two blocks just under the mmap threshold: the second cannot fit in the
    // heap as it was, so malloc grows it now, by the pad.
    void* first = std::malloc(100'000);
    void* second = std::malloc(100'000);
    std::free(second);
    const auto from = (reinterpret_cast<std::uintptr_t>(first) + kHugePage - 1) & ~(kHugePage - 1);
    const auto to = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
    std::free(first);
    // Fails harmlessly (EINVAL) where the kernel has no transparent huge pages.
    if (first && to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
}

}  // namespace tend
