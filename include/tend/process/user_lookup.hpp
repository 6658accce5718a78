// Resolves `user:` and `group:` names or ids to the uid, gid and supplementary
// groups a service runs with. Done while loading the config, so a typo is a
// config error with a position, not a failure at spawn time.
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tend/process/credentials.hpp"

namespace tend {

// Which of the two values a lookup failure is about, so the error can point at it.
class CredentialError : public std::runtime_error {
public:
    enum class Field { user, group };
    CredentialError(Field field, const std::string& message) : std::runtime_error(message), field_(field) {}
    Field field() const { return field_; }

private:
    Field field_;
};

// A decimal id that fits the type and is not (id_t)-1, which setuid() and
// chown() read as "leave unchanged". nullopt for anything else, including
// text that is not all digits.
std::optional<std::uint32_t> parse_numeric_id(std::string_view text);

// A `user:` or `group:` written as an id: nullopt when it is a name (not all
// digits); throws CredentialError for digits that are no valid id.
std::optional<std::uint32_t> numeric_id(const std::string& text, CredentialError::Field field);

// Throws CredentialError with a message naming the user or group.
Credentials lookup_credentials(const std::string& user, const std::optional<std::string>& group);

}  // namespace tend
