// /etc/passwd and /etc/group read as plain files, without NSS: an image's,
// from outside it (`tend check --root DIR`), where the host's databases know
// nothing of the image's users. The files are untrusted input: their size is
// bounded and a line that is no entry is skipped, as glibc's files module does.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tend/process/credentials.hpp"
#include "tend/util/image_root.hpp"

namespace tend {

// No image's passwd or group file is near this; a larger one is refused.
inline constexpr std::size_t kMaxAccountFileBytes = 4 * 1024 * 1024;

class AccountFiles {
public:
    struct User {
        std::string name;
        uid_t uid = 0;
        gid_t gid = 0;
    };
    struct Group {
        std::string name;
        gid_t gid = 0;
        std::vector<std::string> members;
    };

    // `passwd_source` and `group_source` name the files in messages.
    AccountFiles(std::string_view passwd, std::string_view group, std::string passwd_source = "/etc/passwd",
                 std::string group_source = "/etc/group");
    // DIR/etc/passwd and DIR/etc/group. A file that is missing counts as
    // empty (a distroless image has none), and its absence is said when a name
    // is not found; one that cannot be read or is too large throws
    // std::runtime_error naming it.
    static AccountFiles read(const ImageRoot& root);

    // As lookup_credentials(), from these files: a name that is not there is
    // an error naming the file; a bare id without an entry runs as itself.
    Credentials lookup(const std::string& user, const std::optional<std::string>& group) const;

    const std::vector<User>& users() const { return users_; }
    const std::vector<Group>& groups() const { return groups_; }

private:
    gid_t lookup_group(const std::string& group) const;

    std::vector<User> users_;
    std::vector<Group> groups_;
    // Indexes into users_ and groups_, each key's first entry (as glibc's files
    // module answers), so each lookup is one step however large the files.
    std::unordered_map<std::string, std::size_t> user_named_, group_named_;
    std::unordered_map<uid_t, std::size_t> user_with_id_;
    std::unordered_map<gid_t, std::size_t> group_with_id_;
    std::unordered_map<std::string, std::vector<gid_t>> member_of_;  // user name -> the groups listing it, in file order
    std::string passwd_source_, group_source_;  // paths, and "(missing)" notes, for messages
};

}  // namespace tend
