#include "tend/output/line_format.hpp"

#include <ctime>

namespace tend {

std::string iso8601(WallClock::time_point time) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char buffer[40];
    std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buffer + n, sizeof buffer - n, ".%03lldZ", static_cast<long long>(ms % 1000));
    return buffer;
}

nlohmann::json line_to_json(const LineView& line) {
    nlohmann::json out = {
        {"seq", line.seq},
        {"time", iso8601(line.time)},
        {"service", line.service},
        {"stream", line.stream == OutputStream::err ? "stderr" : "stdout"},
        {"line", line.text},
    };
    if (line.continued) out["continued"] = true;
    return out;
}

void format_line(std::string& out, const LineView& line, LogFormat format) {
    if (format == LogFormat::json) {
        nlohmann::json object = line_to_json(line);
        object.erase("seq");
        // Service output is bytes, not necessarily UTF-8: invalid sequences become U+FFFD.
        out += object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
