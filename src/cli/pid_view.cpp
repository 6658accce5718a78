#include "tend/cli/pid_view.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tend/process/process_tree.hpp"

namespace tend {
namespace {

// The whole of a /proc file; nullopt when it cannot be read (the process is gone).
std::optional<std::string> read_proc_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Whether /proc here shows this process's own PID namespace: not so after
// `nsenter --mount` into a container from the host, where /proc is the container's.
bool proc_is_of_this_namespace() {
    char link[32] = "";
    const ssize_t n = readlink("/proc/self", link, sizeof link - 1);
    if (n <= 0) return false;
    long pid = 0;
    const auto [end, error] = std::from_chars(link, link + n, pid);
    return error == std::errc() && end == link + n && pid == getpid();
}

}  // namespace

std::vector<long> parse_nspid(std::string_view status_text) {
    std::vector<long> out;
    std::size_t at = status_text.starts_with("NSpid:") ? 0 : status_text.find("\nNSpid:");
    if (at == std::string_view::npos) return out;
    std::string_view line = status_text.substr(at + (status_text[at] == '\n' ? 7 : 6));
    line = line.substr(0, line.find('\n'));
    for (std::size_t i = 0; i < line.size();) {
        if (line[i] == ' ' || line[i] == '\t') {
            ++i;
            continue;
        }
        long pid = 0;
        const auto [end, error] = std::from_chars(line.data() + i, line.data() + line.size(), pid);
        if (error != std::errc() || pid <= 0) return {};  // not what the kernel writes: believe none of it
        out.push_back(pid);
        i = static_cast<std::size_t>(end - line.data());
    }
    return out;
}

std::optional<long> pid_where_caller_is(const std::vector<long>& tend_nspid, const std::vector<Descendant>& descendants,
                                        long inner) {
    // A descendant with more columns is in a namespace below tend's; its last column is not tend's pid.
    for (const auto& [pid, nspid] : descendants)
        if (nspid.size() == tend_nspid.size() && !nspid.empty() && nspid.back() == inner) return pid;
    return std::nullopt;
}

PidView::PidView(long tend_pid) : tend_pid_(tend_pid) {
    if (tend_pid <= 0) {
        unmappable_ = "tend runs in a PID namespace this one does not contain";
        return;
    }
    if (!proc_is_of_this_namespace()) {
        unmappable_ = "/proc here belongs to another PID namespace (entered with nsenter --mount but not --pid?)";
        return;
    }
    const std::string path = "/proc/" + std::to_string(tend_pid) + "/status";
    const auto status = read_proc_file(path);
    if (!status) unmappable_ = "cannot read " + path + ": " + std::strerror(errno);
    else if ((tend_nspid_ = parse_nspid(*status)).empty()) unmappable_ = path + " has no NSpid line (Linux before 4.1)";
}

long PidView::outer(long inner) const {
    if (!unmappable_.empty()) throw std::runtime_error(unmappable_);
    if (tend_nspid_.size() == 1) return inner;  // the caller is in tend's namespace
    if (inner == tend_nspid_.back()) return tend_pid_;
    std::vector<Descendant> descendants;
    for (pid_t pid : descendants_of(static_cast<pid_t>(tend_pid_)))
        if (auto status = read_proc_file("/proc/" + std::to_string(pid) + "/status"))
            descendants.emplace_back(pid, parse_nspid(*status));
    if (auto pid = pid_where_caller_is(tend_nspid_, descendants, inner)) return *pid;
    throw std::runtime_error("no process below tend (pid " + std::to_string(tend_pid_) + " here) is " +
                             std::to_string(inner) + " in tend's namespace (exited meanwhile?)");
}

}  // namespace tend
