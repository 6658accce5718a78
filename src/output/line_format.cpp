#include "tend/output/line_format.hpp"

#include "tend/util/iso_time.hpp"

namespace tend {

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
