// Replaces the global operator new and delete of the unit-test binary with counting ones.
// Both go to malloc and free, so a sanitizer sees matched pairs.
#include "allocation_count.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::size_t> allocated{0};

void* counted_allocation(std::size_t size) {
    allocated.fetch_add(size, std::memory_order_relaxed);
    if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
    throw std::bad_alloc();
}

}  // namespace

namespace tend::test {

std::size_t bytes_allocated() { return allocated.load(std::memory_order_relaxed); }

}  // namespace tend::test

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
// The nothrow forms too (std::stable_sort's buffer comes from one): left to the
// runtime, they would allocate where the replaced delete's free() does not.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    allocated.fetch_add(size, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
