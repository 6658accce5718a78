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

class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<Diagnostic> diagnostics);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

private:
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace tend
