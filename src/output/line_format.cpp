#include "tend/output/line_format.hpp"

#include "tend/util/iso_time.hpp"
#include "tend/util/json_string.hpp"

namespace tend {

nlohmann::json line_to_json(const LineView& line) {
    nlohmann::json out = {
        {"seq", line.seq},
        {"time", iso8601(line.time)},
        {"service", line.service},
        {"stream", stream_name(line.stream)},
        {"line", line.text},
    };
    if (line.continued) out["continued"] = true;
    return out;
}

namespace {

// Lines read together share their time: format it once per millisecond, not per line.
const std::string& cached_iso8601(WallClock::time_point time) {
    static WallClock::time_point last{};
    static std::string text = iso8601(last);
    auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(time);
    if (ms != last) {
        last = ms;
        text = iso8601(ms);
    }
    return text;
}

}  // namespace

void append_line_object(std::string& out, const LineView& line, bool with_seq) {
    // The keys in the order nlohmann::json would write them, so both forms read alike.
    out += line.continued ? "{\"continued\":true,\"line\":" : "{\"line\":";
    append_json_string(out, line.text);
    if (with_seq) {
        out += ",\"seq\":";
        out += std::to_string(line.seq);
    }
    out += ",\"service\":";
    append_json_string(out, line.service);
    out += line.stream == OutputStream::err ? ",\"stream\":\"stderr\",\"time\":\"" : ",\"stream\":\"stdout\",\"time\":\"";
    out += cached_iso8601(line.time);
    out += "\"}";
}

void format_line(std::string& out, const LineView& line, LogFormat format) {
    if (format == LogFormat::json) {
        append_line_object(out, line, false);
        out += '\n';
        return;
    }
    out.append(line.service);
    out += line.stream == OutputStream::err ? " !" : " |";
    if (line.continued) out += '+';
    out += ' ';
    out.append(line.text);
    out += '\n';
}

}  // namespace tend
