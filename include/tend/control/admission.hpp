// Who gets a control connection when many want one: the operator (root, or
// tend's own uid) is never locked out by other users, and no single user can
// take every slot.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "tend/event/stream_connection.hpp"

namespace tend {

struct ControlLimits {
    std::size_t max_clients = 256;
    std::size_t operator_reserve = 16;  // slots only the operator may take
    std::size_t max_per_uid = 64;       // for any uid but the operator's
    StreamLimits stream;  // each connection's buffers, share of a loop turn and idle timeout
};

enum class Admission {
    accept,
    accept_evicting,  // full: the operator's connection takes the place of the oldest idle one
    refuse_full,
    refuse_uid,       // this uid holds max_per_uid already
};

// `total`: connections open; `of_uid`: those of this peer's uid.
Admission admit(bool is_operator, std::size_t total, std::size_t of_uid, const ControlLimits& limits);

}  // namespace tend
