#include "tend/control/admission.hpp"

namespace tend {

Admission admit(bool is_operator, std::size_t total, std::size_t of_uid, const ControlLimits& limits) {
    if (is_operator) return total < limits.max_clients ? Admission::accept : Admission::accept_evicting;
    if (of_uid >= limits.max_per_uid) return Admission::refuse_uid;
    std::size_t shared = limits.max_clients > limits.operator_reserve ? limits.max_clients - limits.operator_reserve : 0;
    return total < shared ? Admission::accept : Admission::refuse_full;
}

}  // namespace tend
