#include "tend/control/event_json.hpp"

#include <chrono>

#include "tend/util/wall_time_text.hpp"

namespace tend {

nlohmann::json event_json(const OperatorEvent& e) {
    auto text_or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
    return {{"time", rfc3339_local(std::chrono::system_clock::now())},
            {"kind", e.kind},
            {"service", text_or_null(e.service)},
            {"from", text_or_null(e.from)},
            {"to", text_or_null(e.to)},
            {"reason", text_or_null(e.reason)}};
}

std::string event_json_line(const OperatorEvent& event) {
    return event_json(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tend
