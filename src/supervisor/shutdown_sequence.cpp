#include "tend/supervisor/shutdown_sequence.hpp"

namespace tend {

bool ShutdownSequence::begin(Clock::time_point now, Duration timeout) {
    if (started()) return false;
    phase_ = Phase::stopping_services;
    deadline_ = now + timeout;
    return true;
}

bool ShutdownSequence::skip_grace() {
    if (skip_grace_) return false;
    skip_grace_ = true;
    return true;
}

void ShutdownSequence::note_critical_end(int code, std::string why) {
    if (!critical_exit_) critical_exit_ = {code, std::move(why)};
}

void ShutdownSequence::note_kill(std::string what) {
    kills_.push_back(std::move(what));
}

std::pair<int, std::string> ShutdownSequence::exit_code(Duration timeout) const {
    if (critical_exit_) return *critical_exit_;
    if (deadline_hit_) return {1, "shutdown_timeout " + format_duration(timeout) + " was hit"};
    if (!kills_.empty()) {
        std::string why;
        for (const auto& kill : kills_) why += (why.empty() ? "" : "; ") + kill;
        return {1, why};
    }
    return {0, ""};
}

}  // namespace tend
