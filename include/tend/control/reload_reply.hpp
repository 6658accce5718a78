// The result of `reload` as the control protocol encodes it. A reply goes out
// whole or not at all (a client whose replies pile up past the connection's
// output limit is dropped), so a plan too long for one reply is cut, with a
// count of what was left out, rather than lost.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "tend/supervisor/operations.hpp"

namespace tend {

// Under StreamLimits::max_output_bytes (4 MiB), which also holds what the
// client has not read yet; the plan of a 50,000-service chain still fits.
inline constexpr std::size_t kMaxReloadReplyBytes = 3 * 1024 * 1024;

// {"dry_run","services","settings","plan","warnings"}, and "left_out": the
// number of services and settings not listed when they did not fit in
// `max_bytes`; the plan then ends with a line saying so.
nlohmann::json encode_reload(const ReloadOutcome& outcome, bool dry_run, std::size_t max_bytes = kMaxReloadReplyBytes);

}  // namespace tend
