// Compose's env file format: KEY=VALUE lines, '#' comments, an optional
// `export ` prefix, 'single' (literal) and "double" (escapes, $VAR) quotes that
// may span lines, and KEY alone to take the variable from the environment.
// Used for settings.env_file (values for ${VAR}) and each service's env_file:.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tend/config/interpolation.hpp"

namespace tend {

// An env file past this is refused: it is read at every start of its service.
inline constexpr std::size_t kMaxEnvFileBytes = 1024 * 1024;

// A refusal at a line of the file (1-based).
class EnvFileError : public std::runtime_error {
public:
    EnvFileError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
    int line() const { return line_; }

private:
    int line_;
};

// The variables `text` sets. `environment` gives KEY alone its value and
// $VAR / ${VAR} in unquoted and double-quoted values theirs, after the keys
// the file set above them (an unset one is empty, as in compose). Throws EnvFileError.
std::map<std::string, std::string> parse_env_file(std::string_view text, const VariableLookup& environment);

// The variables of the file at `path`; throws std::runtime_error naming the
// file (and its line): "/app/.env: No such file or directory", "/app/.env:3: ...".
std::map<std::string, std::string> read_env_file(const std::string& path, const VariableLookup& environment);

// tend's own environment, as a lookup.
std::optional<std::string> process_variable(std::string_view name);

}  // namespace tend
