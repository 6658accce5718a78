// One line of a service's output, as it travels from the pipe to tend's
// stdout, the service's file, its in-memory ring and `tendctl logs` followers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tend {

enum class OutputStream { out, err };

inline const char* stream_name(OutputStream stream) { return stream == OutputStream::err ? "stderr" : "stdout"; }

using WallClock = std::chrono::system_clock;

struct LineView {
    std::uint64_t seq = 0;  // global order across services, for interleaving
    WallClock::time_point time;
    std::string_view service;
    OutputStream stream = OutputStream::out;
    bool continued = false;  // a later piece of a line cut at 64 KiB
    std::string_view text;
};

struct StoredLine {
    std::uint64_t seq = 0;
    WallClock::time_point time;
    OutputStream stream = OutputStream::out;
    bool continued = false;
    std::string text;

    LineView view(std::string_view service) const { return {seq, time, service, stream, continued, text}; }
};

}  // namespace tend
