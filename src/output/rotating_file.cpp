#include "tend/output/rotating_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

namespace tend {

RotatingFile::RotatingFile(std::string owner, std::string path, std::uint64_t max_size, int keep)
    : owner_(std::move(owner)), path_(std::move(path)), max_size_(max_size), keep_(keep) {
    open_file();
}

void RotatingFile::report(const std::string& what, int error) {
    if (failing_) return;  // once per episode, not once per line
    failing_ = true;
    spdlog::error("{}: failed to {} log file {}: {}, its output goes on without it", owner_, what, path_,
                  std::strerror(error));
}

void RotatingFile::open_file() {
    fd_.reset(open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640));
    if (!fd_) {
        report("open", errno);
        return;
    }
    struct stat st {};
    size_ = fstat(fd_.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void RotatingFile::rotate() {
    fd_.reset();
    for (int i = keep_ - 1; i >= 1; --i) {
        std::string from = path_ + "." + std::to_string(i);
        std::string to = path_ + "." + std::to_string(i + 1);
        if (::rename(from.c_str(), to.c_str()) < 0 && errno != ENOENT) report("rotate", errno);
    }
    if (keep_ > 0) {
        if (::rename(path_.c_str(), (path_ + ".1").c_str()) < 0 && errno != ENOENT) report("rotate", errno);
    } else if (::truncate(path_.c_str(), 0) < 0 && errno != ENOENT) {
        report("truncate", errno);
    }
    open_file();
}

void RotatingFile::write(std::string_view bytes) {
    if (bytes.empty()) return;
    if (size_ > 0 && size_ + bytes.size() > max_size_) rotate();
    if (!fd_) {
        open_file();  // the directory may have come back
        if (!fd_) return;
    }
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            report("write", n < 0 ? errno : ENOSPC);
            return;
        }
        size_ += static_cast<std::uint64_t>(n);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    if (failing_) {
        failing_ = false;
        spdlog::info("{}: writing log file {} again", owner_, path_);
    }
}

}  // namespace tend
