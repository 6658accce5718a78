// Config problems, each with the file, line and column it was found at.
// The loader collects all of a file's problems and throws them together.
#pragma once

#include <cstddef>
#include <tuple>
#include <stdexcept>
#include <string>
#include <unordered_map>
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

// Errors as they are found: every one counted, and only the kShownConfigErrors
// first by place (file in the order first seen, then line, then column) kept,
// so a file with 200,000 errors holds 100 of them, not 200,000.
class ErrorList {
public:
    void push_back(Diagnostic diagnostic);
    // Counts an error at `at` if it would not be kept (every kept one comes
    // before it) and says so; else counts nothing, and the caller builds its
    // message and calls push_back. 200,000 errors need 100 messages.
    bool count_if_unkept(const SourceLocation& at);
    // Adds another list's errors after this one's files.
    void append(const ErrorList& other);
    std::size_t total() const { return total_; }
    bool empty() const { return total_ == 0; }
    // The kept errors, by place.
    std::vector<Diagnostic> sorted() const;

private:
    struct Kept {
        std::size_t file_rank;
        int line, column;
        std::size_t order;  // arrival: equal places stay in the order they were found
        Diagnostic diagnostic;
        auto key() const { return std::tuple(file_rank, line, column, order); }
    };
    std::vector<Kept> kept_;  // a max-heap by key(): the first to go is at the front
    std::unordered_map<std::string, std::size_t> file_rank_;
    std::size_t total_ = 0;
};

class ConfigError : public std::runtime_error {
public:
    // Keeps the first kShownConfigErrors (in the order given) and a line saying how many more there were.
    explicit ConfigError(std::vector<Diagnostic> diagnostics);
    // `shown` in order, `total` errors found in all.
    ConfigError(std::vector<Diagnostic> shown, std::size_t total);
    explicit ConfigError(const ErrorList& errors) : ConfigError(errors.sorted(), errors.total()) {}
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
    std::size_t total() const { return total_; }  // every error found, shown or not

private:
    struct Shown {
        std::vector<Diagnostic> list;
        std::size_t total;
    };
    explicit ConfigError(Shown shown);

    std::vector<Diagnostic> diagnostics_;
    std::size_t total_ = 0;
};

}  // namespace tend
