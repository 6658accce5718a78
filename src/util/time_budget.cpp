#include "tend/util/time_budget.hpp"

namespace tend {

bool TimeBudget::available(TimePoint now) {
    if (now - window_start_ >= window_ || now < window_start_) {
        window_start_ = now;
        spent_ = {};
    }
    return spent_ < allowance_;
}

}  // namespace tend
