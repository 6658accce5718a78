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
    // Non-blocking: a FIFO with no reader must not hold PID 1 in open().
    fd_.reset(open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640));
    if (!fd_) {
        report("open", errno);
        return;
    }
    struct stat st {};
    if (fstat(fd_.get(), &st) < 0) {
        report("inspect", errno);
        fd_.reset();
        return;
    }
    // /dev/null, a FIFO or a socket is written to, never renamed or truncated.
    regular_ = S_ISREG(st.st_mode);
    size_ = regular_ ? static_cast<std::uint64_t>(st.st_size) : 0;
}

namespace {

// Rotation moves only regular files, and never onto something that is not one.
bool is_regular(const std::string& path, bool missing_ok) {
    struct stat st {};
    if (lstat(path.c_str(), &st) < 0) return missing_ok && errno == ENOENT;
    return S_ISREG(st.st_mode);
}

}  // namespace

void RotatingFile::rotate() {
    std::string first = path_ + ".1";
    if (!is_regular(path_, false) || (keep_ > 0 && !is_regular(first, true))) {
        // Replaced since it was opened, or PATH.1 is something else: write on, rotate no more.
        spdlog::warn("{}: log file {} is no longer rotated: {} is not a regular file", owner_, path_,
                     is_regular(path_, false) ? first : path_);
        regular_ = false;
        return;
    }
    if (keep_ == 0) {
        if (ftruncate(fd_.get(), 0) < 0) report("truncate", errno);
        else size_ = 0;
        return;
    }
    fd_.reset();
    for (int i = keep_ - 1; i >= 1; --i) {
        std::string from = path_ + "." + std::to_string(i);
        std::string to = path_ + "." + std::to_string(i + 1);
        if (!is_regular(from, false) || !is_regular(to, true)) continue;
        if (::rename(from.c_str(), to.c_str()) < 0 && errno != ENOENT) report("rotate", errno);
    }
    if (::rename(path_.c_str(), first.c_str()) < 0 && errno != ENOENT) report("rotate", errno);
    open_file();
}

// Writes whole lines, rotating between them so no file passes max_size
// (unless a single line is longer than that).
void RotatingFile::write(std::string_view bytes) {
    while (!bytes.empty()) {
        if (fd_ && !regular_) {  // not rotated: written as it is
            write_all(bytes);
            return;
        }
        std::size_t room = max_size_ > size_ ? max_size_ - size_ : 0;
        std::size_t take = bytes.size();
        if (take > room) {
            std::size_t last_newline = bytes.substr(0, room).rfind('\n');
            if (last_newline == std::string_view::npos && size_ > 0) {
                rotate();
                continue;
            }
            if (last_newline != std::string_view::npos) take = last_newline + 1;
            else take = std::min(bytes.size(), bytes.find('\n') + 1);  // one line over max_size: whole
        }
        if (!write_all(bytes.substr(0, take))) return;
        bytes.remove_prefix(take);
    }
}

bool RotatingFile::write_all(std::string_view bytes) {
    if (!fd_) {
        open_file();  // the directory may have come back
        if (!fd_) return false;
    }
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            report("write", n < 0 ? errno : ENOSPC);
            return false;
        }
        size_ += static_cast<std::uint64_t>(n);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    if (failing_) {
        failing_ = false;
        spdlog::info("{}: writing log file {} again", owner_, path_);
    }
    return true;
}

}  // namespace tend
