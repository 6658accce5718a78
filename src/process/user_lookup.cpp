#include "tend/process/user_lookup.hpp"

#include <grp.h>
#include <pwd.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

namespace tend {
using Field = CredentialError::Field;

namespace {

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

gid_t lookup_group(const std::string& group) {
    std::vector<char> buffer(16384);
    struct group entry {};
    struct group* found = nullptr;
    const bool numeric = all_digits(group);
    gid_t gid = numeric ? *numeric_id(group, Field::group) : 0;
    int err = numeric ? getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found)
                      : getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found) return entry.gr_gid;
    if (numeric) return gid;  // a bare gid with no group entry is normal in containers
    if (err != 0) throw CredentialError(Field::group, "cannot look up group '" + group + "': " + std::strerror(err));
    throw CredentialError(Field::group, "no such group '" + group + "'");
}

}  // namespace

std::optional<std::uint32_t> numeric_id(const std::string& text, Field field) {
    if (!all_digits(text)) return std::nullopt;
    // A numeric value must fit and must not be -1: truncating "4294967296" to 0
    // would run the service as root.
    if (auto id = parse_numeric_id(text)) return *id;
    const char* what = field == Field::user ? "uid" : "gid";
    throw CredentialError(field, std::string("invalid ") + what + " " + text + " (ids are 0.." +
                                     std::to_string(std::numeric_limits<std::uint32_t>::max() - 1) + ")");
}

std::optional<std::uint32_t> parse_numeric_id(std::string_view text) {
    if (!all_digits(text)) return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    if (value == std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return value;
}

Credentials lookup_credentials(const std::string& user, const std::optional<std::string>& group) {
    Credentials creds;
    creds.user_name = user;
    std::vector<char> buffer(16384);
    struct passwd entry {};
    struct passwd* found = nullptr;
    const bool numeric = all_digits(user);
    uid_t uid = numeric ? *numeric_id(user, Field::user) : 0;
    int err = numeric ? getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found)
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
    } else if (numeric) {
        // A bare uid with no passwd entry is normal in containers: run as it, gid = uid.
        creds.uid = uid;
        creds.gid = static_cast<gid_t>(uid);
    } else if (err != 0) {
        throw CredentialError(Field::user, "cannot look up user '" + user + "': " + std::strerror(err));
    } else {
        throw CredentialError(Field::user, "no such user '" + user + "'");
    }
    if (group) {
        creds.gid = lookup_group(*group);
        creds.groups = {creds.gid};
    }
    return creds;
}

}  // namespace tend
