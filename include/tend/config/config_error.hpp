// Config problems, each with the file, line and column it was found at.
// The loader collects all of a file's problems and throws them together.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "tend/config/config.hpp"

namespace tend {

struct Diagnostic {
    SourceLocation where;
    std::string message;
    std::string to_string() const;  // "tend.yaml:12:5: unknown key 'restat' (did you mean 'restart'?)"
};

// At most this many errors are shown, then a count of the rest: a broken
// generated file must not flood the terminal or hold PID 1 formatting them.
inline constexpr std::size_t kShownConfigErrors = 100;

class ConfigError : public std::runtime_error {
public:
    // Keeps the first kShownConfigErrors (in the order given) and a line saying how many more there were.
    explicit ConfigError(std::vector<Diagnostic> diagnostics);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
    std::size_t total() const { return total_; }  // every error found, shown or not

private:
    std::vector<Diagnostic> diagnostics_;
    std::size_t total_ = 0;
};

}  // namespace tend
