#include "tend/util/pattern.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>

namespace tend {
namespace {

// RE2's own words, and what a user coming from PCRE or ECMAScript syntax needs to hear.
std::string reason(const re2::RE2& re) {
    const std::string& arg = re.error_arg();
    const auto code = re.error_code();
    if (code == re2::RE2::ErrorBadEscape && arg.size() == 2 && arg[1] >= '1' && arg[1] <= '9')
        return "back-references such as " + arg + " are not supported (patterns use RE2 syntax, which matches in linear time)";
    if (code == re2::RE2::ErrorMissingParen || code == re2::RE2::ErrorBadPerlOp) {
        // RE2 names "(?<" for both look-behinds; the pattern says which.
        const std::string& text = re.pattern();
        for (const char* look : {"(?=", "(?!", "(?<=", "(?<!"})
            if (arg.starts_with(std::string_view(look).substr(0, 3)) && text.find(look) != std::string::npos)
                return std::string("look-around such as ") + look +
                       " is not supported (patterns use RE2 syntax, which matches in linear time)";
    }
    if (code == re2::RE2::ErrorPatternTooLarge)  // in the trial's budget: see Pattern::kTrialMemory
        return "too complex: far more than " + std::to_string(Pattern::kMaxProgramSize) +
               " steps per character once compiled (so that no line can hold tend's loop)";
    return re.error();
}

re2::RE2::Options options(std::size_t max_memory) {
    re2::RE2::Options o;
    o.set_log_errors(false);  // RE2 would print to stderr; the caller reports the error at its place
    // Bytes, as grep in the C locale (and the std::regex before RE2) match: in
    // UTF-8 mode `.` does not match a byte that is not UTF-8, so a service
    // printing one Latin-1 `é` before `port` never became ready. A UTF-8
    // literal in the pattern still matches the same bytes in the line.
    o.set_encoding(re2::RE2::Options::EncodingLatin1);
    o.set_max_mem(static_cast<int64_t>(max_memory));
    return o;
}

}  // namespace

Pattern::Pattern(std::string_view text) {
    if (text.size() > kMaxLength)
        throw std::invalid_argument("too long: " + std::to_string(text.size()) + " bytes, at most " +
                                    std::to_string(kMaxLength));
    const re2::StringPiece piece(text.data(), text.size());
    {
        const re2::RE2 trial(piece, options(kTrialMemory));
        if (!trial.ok()) throw std::invalid_argument(reason(trial));
    }
    auto compiled = std::make_shared<const re2::RE2>(piece, options(kMaxMemory));
    if (!compiled->ok()) throw std::invalid_argument(reason(*compiled));
    if (compiled->ProgramSize() > kMaxProgramSize)
        throw std::invalid_argument("too complex: " + std::to_string(compiled->ProgramSize()) +
                                    " steps per character once compiled, at most " + std::to_string(kMaxProgramSize) +
                                    " (so that no line can hold tend's loop)");
    searched_length_ = kStepsPerSearch / static_cast<std::size_t>(std::max(1, compiled->ProgramSize()));
    compiled_ = std::move(compiled);
}

Pattern::~Pattern() = default;

bool Pattern::search(std::string_view text) const {
    // The whole line is the context, so ^, $ and \b see its real ends, not the cut.
    return compiled_->Match(re2::StringPiece(text.data(), text.size()), 0, std::min(text.size(), searched_length_),
                            re2::RE2::UNANCHORED, nullptr, 0);
}

const std::string& Pattern::text() const { return compiled_->pattern(); }

}  // namespace tend
