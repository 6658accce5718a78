// How a service's line reads on tend's stdout: `web | text` (stderr: `web ! text`,
// a continuation of a cut line: `web |+ text`), or under log_format: json one
// object per line with time, service, stream and line.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "tend/config/config.hpp"
#include "tend/output/log_line.hpp"

namespace tend {

// Appends the line, newline included, to `out`.
void format_line(std::string& out, const LineView& line, LogFormat format);

// The line as one JSON object: {line, service, stream, time[, continued]}, plus
// `seq` for `tendctl logs`. Written directly: this runs for every captured line.
void append_line_object(std::string& out, const LineView& line, bool with_seq);

// The same object as a json value, for replies built with nlohmann::json.
nlohmann::json line_to_json(const LineView& line);

}  // namespace tend
