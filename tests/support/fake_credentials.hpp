// A user and group database for config tests, so they never read the host's:
// root (0), nobody (65534) and postgres (101), numeric ids as themselves, and
// CredentialError for anything else, as the real lookup raises it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "tend/process/user_lookup.hpp"

namespace tend {

inline Credentials fake_credentials(const std::string& user, const std::optional<std::string>& group) {
    static const std::map<std::string, unsigned> known = {{"root", 0}, {"nobody", 65534}, {"postgres", 101}};
    auto id_of = [](const std::string& name, CredentialError::Field field) -> unsigned {
        if (auto it = known.find(name); it != known.end()) return it->second;
        if (auto id = parse_numeric_id(name)) return *id;
        const char* what = field == CredentialError::Field::user ? "user" : "group";
        if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
            throw CredentialError(field, std::string("invalid ") + (field == CredentialError::Field::user ? "uid " : "gid ") +
                                             name + " (ids are 0..4294967294)");
        throw CredentialError(field, std::string("no such ") + what + " '" + name + "'");
    };
    Credentials creds;
    creds.user_name = user;
    creds.uid = id_of(user, CredentialError::Field::user);
    creds.gid = group ? id_of(*group, CredentialError::Field::group) : creds.uid;
    creds.groups = {creds.gid};
    return creds;
}

}  // namespace tend
