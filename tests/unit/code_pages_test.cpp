// Which of its mappings a quiet tend may drop, read from smaps text, and the
// release itself on this process: a clean page leaves the page table and reads
// back the same; a written read-only page (as the loader leaves relocated
// data) is never dropped, so what was written stays.
#include "tend/process/code_pages.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tend/util/unique_fd.hpp"

namespace unit_code_pages_test {

using namespace tend;

namespace {

std::string block(const std::string& header, const std::string& anonymous, const std::string& flags = "rd ex mr mw me",
                  const std::string& swap = "0") {
    return header + "\nSize:                 64 kB\nRss:                  40 kB\nPss:                  40 kB\n" +
           (anonymous.empty() ? "" : "Anonymous:       " + anonymous + " kB\n") +
           (swap.empty() ? "" : "Swap:            " + swap + " kB\nSwapPss:               0 kB\n") +
           "Locked:                0 kB\nVmFlags: " + flags + "\n";
}

// Whether this process's page table maps the page at `address` (/proc/self/pagemap's present bit).
bool page_present(const void* address) {
    tend::UniqueFd fd(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    std::uint64_t entry = 0;
    const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    const off_t at = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(address) / page * sizeof entry);
    REQUIRE(pread(fd.get(), &entry, sizeof entry, at) == static_cast<ssize_t>(sizeof entry));
    return (entry >> 63) & 1;
}

// A private mapping of a fresh two-page file whose bytes are 'a'.
struct MappedFile {
    MappedFile() {
        char path[] = "/tmp/tend-code-pages-XXXXXX";
        fd.reset(mkstemp(path));
        REQUIRE(fd);
        unlink(path);
        size = 2 * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        std::string bytes(size, 'a');
        REQUIRE(write(fd.get(), bytes.data(), size) == static_cast<ssize_t>(size));
        fsync(fd.get());
        data = static_cast<char*>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0));
        REQUIRE(data != MAP_FAILED);
    }
    ~MappedFile() { munmap(data, size); }
    tend::UniqueFd fd;
    std::size_t size = 0;
    char* data = nullptr;
};

}  // namespace

TEST_CASE("a clean file mapping that is not writable is taken, with its resident size") {
    auto found = clean_file_mappings(block("55d0c2a00000-55d0c2a10000 r-xp 00001000 08:01 1234   /usr/bin/tend", "0"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].begin == 0x55d0c2a00000u);
    CHECK(found[0].end == 0x55d0c2a10000u);
    CHECK(found[0].resident_bytes == 40 * 1024);
}

TEST_CASE("written, writable, anonymous, locked and special mappings are left alone") {
    std::string smaps =
        block("7f0000000000-7f0000010000 r--p 00020000 08:01 99 /usr/lib/libsystemd.so.0", "8") +  // RELRO: written
        block("7f0000010000-7f0000020000 rw-p 00030000 08:01 99 /usr/lib/libsystemd.so.0", "0") +
        block("7f0000020000-7f0000030000 r--p 00000000 00:00 0 ", "0") +
        block("7f0000030000-7f0000040000 r-xp 00000000 00:00 0                          [vdso]", "0") +
        block("7f0000040000-7f0000050000 r-xp 00001000 08:01 77 /usr/lib/libc.so.6", "0", "rd ex mr mw me lo") +
        block("7f0000050000-7f0000060000 r-xp 00001000 08:01 78 /usr/lib/libz.so.1", "") +  // no Anonymous line
        // RELRO whose written pages are in swap: Anonymous counts only those in memory.
        block("7f0000060000-7f0000070000 r--p 00020000 08:01 79 /usr/lib/libm.so.6", "0", "rd mr mw me", "8") +
        block("7f0000070000-7f0000080000 r-xp 00001000 08:01 80 /usr/lib/libq.so.1", "0", "rd ex mr mw me", "") +
        block("7f0000080000-7f0000090000 r--s 00000000 08:01 81 /dev/shm/shared", "0") +
        block("7f0000090000-7f00000a0000 r-xp 00001000 08:01 82 /usr/lib/libr.so.1", "0", "rd ex mr mw me sl") +
        block("7f00000a0000-7f00000b0000 r--p 00000000 08:01 83 /usr/lib/libs.so.1", "0", "rd mr mw me um") +
        // Cut short before its last line, VmFlags.
        "7f00000b0000-7f00000c0000 r-xp 00001000 08:01 84 /usr/lib/libt.so.1\nRss: 4 kB\nAnonymous: 0 kB\nSwap: 0 kB\n";
    CHECK(clean_file_mappings(smaps).empty());
}

TEST_CASE("paths with spaces, a last block without a line end and stray lines are read as smaps writes them") {
    std::string smaps = "garbage that is not a mapping\n" +
                        block("1000-3000 r-xp 00000000 fd:00 5 /opt/my app/bin (deleted)", "0") +
                        "7f00-8f00 r--p 00000000 fd:00 6 /opt/b\nRss: 8 kB\nAnonymous: 0 kB\nSwap: 0 kB\nVmFlags: rd";
    auto found = clean_file_mappings(smaps);
    REQUIRE(found.size() == 2);
    CHECK(found[0].begin == 0x1000u);
    CHECK(found[1].end == 0x8f00u);
    CHECK(found[1].resident_bytes == 8 * 1024);
}

TEST_CASE("malformed headers are not mappings") {
    CHECK(clean_file_mappings(block("3000-1000 r-xp 00000000 08:01 5 /x", "0")).empty());  // end before begin
    CHECK(clean_file_mappings(block("zz-1000 r-xp 00000000 08:01 5 /x", "0")).empty());
    CHECK(clean_file_mappings(block("1000-2000 r-x 00000000 08:01 5 /x", "0")).empty());
    CHECK(clean_file_mappings(block("1000-2000", "0")).empty());
}

TEST_CASE("a released clean page leaves the page table and reads back the file's bytes") {
    MappedFile file;
    REQUIRE(mprotect(file.data, file.size, PROT_READ) == 0);
    CHECK(file.data[0] == 'a');
    CHECK(page_present(file.data));
    CodeRelease released = release_clean_file_pages();
    CHECK(released.mappings >= 2);  // this mapping and the test program's own code at least
    CHECK(released.resident_bytes > 0);
    CHECK_FALSE(page_present(file.data));
    CHECK(file.data[0] == 'a');
}

TEST_CASE("a read-only page that was written keeps what was written") {
    MappedFile file;
    file.data[0] = 'b';  // copied on write, as the loader does to relocated data before making it read-only
    REQUIRE(mprotect(file.data, file.size, PROT_READ) == 0);
    release_clean_file_pages();
    CHECK(file.data[0] == 'b');
    CHECK(file.data[file.size - 1] == 'a');
}

TEST_CASE("a mapping whose smaps line is longer than the reader's piece is skipped, and the rest still read") {
    // Twelve directories named by 200 newlines each: the kernel writes each as
    // \012, so the mapping's line in smaps is near 10,000 bytes.
    std::string path = "/tmp/tend-long-XXXXXX";
    REQUIRE(mkdtemp(path.data()) != nullptr);
    const std::string top = path;
    for (int i = 0; i < 12; ++i) {
        path += "/" + std::string(200, '\n');
        REQUIRE(mkdir(path.c_str(), 0700) == 0);
    }
    path += "/file";
    tend::UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    REQUIRE(fd);
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    REQUIRE(ftruncate(fd.get(), static_cast<off_t>(page)) == 0);
    auto* long_named = static_cast<const char*>(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, fd.get(), 0));
    REQUIRE(long_named != MAP_FAILED);
    CHECK(long_named[0] == 0);
    MappedFile other;
    REQUIRE(mprotect(other.data, other.size, PROT_READ) == 0);
    CHECK(other.data[0] == 'a');

    CodeRelease released = release_clean_file_pages();
    CHECK(released.failure.empty());
    CHECK(page_present(long_named));        // its block was not read whole: not taken
    CHECK_FALSE(page_present(other.data));  // the blocks around it were
    CHECK(long_named[0] == 0);

    munmap(const_cast<char*>(long_named), page);
    unlink(path.c_str());
    for (int i = 0; i < 12; ++i) {
        path.resize(path.rfind('/'));
        rmdir(path.c_str());
    }
    rmdir(top.c_str());
}

}  // namespace unit_code_pages_test
