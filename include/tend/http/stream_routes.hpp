// The pages that stream (http_stream.hpp): supervisord's `/logtail/NAME`
// (`/logtail/NAME/stderr`) and `/mainlogtail`, which supervisorctl's
// `tail -f` and `maintail -f` read, and `/events`, tend's operator events as
// Server-Sent Events.
#pragma once

#include <optional>
#include <string_view>

#include "tend/http/http_daemon.hpp"
#include "tend/http/supervisor_rpc.hpp"
#include "tend/supervisor/operations.hpp"

namespace tend {

// supervisord's tail_f_producer starts this far back.
inline constexpr std::size_t kTailStartBytes = 1024;

// The answer for a streamed page; nullopt when `path` is none of them.
std::optional<HttpAnswer> stream_route(Operations& operations, const SupervisorRpc& rpc, std::string_view method,
                                       std::string_view path);

}  // namespace tend
