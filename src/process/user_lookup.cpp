#include "tend/process/user_lookup.hpp"

#include <grp.h>
#include <pwd.h>

#include <cctype>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace tend {
namespace {

bool all_digits(const std::string& text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

gid_t lookup_group(const std::string& group) {
    std::vector<char> buffer(16384);
    struct group entry {};
    struct group* found = nullptr;
    int err = all_digits(group)
                  ? getgrgid_r(static_cast<gid_t>(std::stoul(group)), &entry, buffer.data(), buffer.size(), &found)
                  : getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found) return entry.gr_gid;
    if (all_digits(group)) return static_cast<gid_t>(std::stoul(group));
    if (err != 0) throw std::runtime_error("cannot look up group '" + group + "': " + std::strerror(err));
    throw std::runtime_error("no such group '" + group + "'");
}

}  // namespace

Credentials lookup_credentials(const std::string& user, const std::optional<std::string>& group) {
    Credentials creds;
    creds.user_name = user;
    std::vector<char> buffer(16384);
    struct passwd entry {};
    struct passwd* found = nullptr;
    int err = all_digits(user)
                  ? getpwuid_r(static_cast<uid_t>(std::stoul(user)), &entry, buffer.data(), buffer.size(), &found)
                  : getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found) {
        creds.uid = entry.pw_uid;
        creds.gid = entry.pw_gid;
        int count = 64;
        std::vector<gid_t> groups(static_cast<std::size_t>(count));
        if (getgrouplist(entry.pw_name, entry.pw_gid, groups.data(), &count) < 0) {
            groups.resize(static_cast<std::size_t>(count));
            getgrouplist(entry.pw_name, entry.pw_gid, groups.data(), &count);
        }
        groups.resize(static_cast<std::size_t>(count));
        creds.groups = std::move(groups);
    } else if (all_digits(user)) {
        // A bare uid with no passwd entry is normal in containers: run as it, gid = uid.
        creds.uid = static_cast<uid_t>(std::stoul(user));
        creds.gid = static_cast<gid_t>(creds.uid);
    } else if (err != 0) {
        throw std::runtime_error("cannot look up user '" + user + "': " + std::strerror(err));
    } else {
        throw std::runtime_error("no such user '" + user + "'");
    }
    if (group) {
        creds.gid = lookup_group(*group);
        creds.groups = {creds.gid};
    }
    return creds;
}

}  // namespace tend
