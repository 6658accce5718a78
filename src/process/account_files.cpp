#include "tend/process/account_files.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "tend/process/user_lookup.hpp"
#include "tend/util/regular_file.hpp"

namespace tend {
namespace {

using Field = CredentialError::Field;

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        const std::size_t colon = line.find(':', start);
        out.push_back(line.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos) return out;
        start = colon + 1;
    }
}

// Each line of `text` that `take` accepts; blank lines, comments and NIS
// "+"/"-" lines are no entries.
template <typename Take>
void each_line(std::string_view text, Take take) {
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && line[0] != '#' && line[0] != '+' && line[0] != '-') take(fields(line));
        start = end + 1;
    }
}

// A file of the image, or "" when it is not there.
std::string read_optional(const std::string& path, std::string& source) {
    std::error_code ec;
    if (std::filesystem::symlink_status(path, ec).type() == std::filesystem::file_type::not_found) {
        source = path + " (not in the image)";
        return "";
    }
    try {
        return read_regular_file(path, kMaxAccountFileBytes);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": cannot read: " + e.what());
    }
}

}  // namespace

AccountFiles::AccountFiles(std::string_view passwd, std::string_view group, std::string passwd_source,
                           std::string group_source)
    : passwd_source_(std::move(passwd_source)), group_source_(std::move(group_source)) {
    // name:password:uid:gid:gecos:home:shell
    each_line(passwd, [&](const std::vector<std::string_view>& f) {
        auto uid = f.size() == 7 ? parse_numeric_id(f[2]) : std::nullopt;
        auto gid = f.size() == 7 ? parse_numeric_id(f[3]) : std::nullopt;
        if (uid && gid && !f[0].empty()) users_.push_back({std::string(f[0]), *uid, *gid});
    });
    // name:password:gid:member,member
    each_line(group, [&](const std::vector<std::string_view>& f) {
        auto gid = f.size() == 4 ? parse_numeric_id(f[2]) : std::nullopt;
        if (!gid || f[0].empty()) return;
        Group entry{std::string(f[0]), *gid, {}};
        for (std::size_t start = 0; start < f[3].size();) {
            std::size_t comma = std::min(f[3].find(',', start), f[3].size());
            if (comma > start) entry.members.emplace_back(f[3].substr(start, comma - start));
            start = comma + 1;
        }
        groups_.push_back(std::move(entry));
    });
    for (std::size_t i = 0; i < users_.size(); ++i) {
        user_named_.emplace(users_[i].name, i);
        user_with_id_.emplace(users_[i].uid, i);
    }
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        group_named_.emplace(groups_[i].name, i);
        group_with_id_.emplace(groups_[i].gid, i);
        for (const std::string& member : groups_[i].members) {
            std::vector<gid_t>& gids = member_of_[member];
            if (std::find(gids.begin(), gids.end(), groups_[i].gid) == gids.end()) gids.push_back(groups_[i].gid);
        }
    }
}

AccountFiles AccountFiles::read(const ImageRoot& root) {
    std::string passwd_source = root.host_path("/etc/passwd"), group_source = root.host_path("/etc/group");
    std::string passwd = read_optional(passwd_source, passwd_source);
    std::string group = read_optional(group_source, group_source);
    return AccountFiles(passwd, group, passwd_source, group_source);
}

gid_t AccountFiles::lookup_group(const std::string& group) const {
    const auto id = numeric_id(group, Field::group);
    if (id ? group_with_id_.contains(*id) : group_named_.contains(group))
        return groups_[id ? group_with_id_.at(*id) : group_named_.at(group)].gid;
    if (id) return *id;  // a bare gid with no group entry is normal in containers
    throw CredentialError(Field::group, "no such group '" + group + "' in " + group_source_);
}

Credentials AccountFiles::lookup(const std::string& user, const std::optional<std::string>& group) const {
    Credentials creds;
    creds.user_name = user;
    const auto id = numeric_id(user, Field::user);
    const bool known = id ? user_with_id_.contains(*id) : user_named_.contains(user);
    if (known) {
        const User& found = users_[id ? user_with_id_.at(*id) : user_named_.at(user)];
        creds.uid = found.uid;
        creds.gid = found.gid;
        creds.groups = {found.gid};  // as getgrouplist(): the primary group, then each that lists the user
        if (auto member = member_of_.find(found.name); member != member_of_.end())
            for (gid_t gid : member->second)
                if (gid != found.gid) creds.groups.push_back(gid);
    } else if (id) {
        creds.uid = *id;  // a bare uid with no passwd entry runs as itself, gid = uid
        creds.gid = static_cast<gid_t>(*id);
    } else {
        throw CredentialError(Field::user, "no such user '" + user + "' in " + passwd_source_);
    }
    if (group) {
        creds.gid = lookup_group(*group);
        creds.groups = {creds.gid};
    }
    return creds;
}

}  // namespace tend
