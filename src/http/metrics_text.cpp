#include "tend/http/metrics_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace tend {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_sample_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
    return fmt::format("{}", value);  // shortest text that reads back the same
}

void MetricsText::family(std::string_view name, Type type, std::string_view help) {
    // HELP escapes backslash and newline only.
    std::string escaped;
    for (char c : help) {
        if (c == '\\') escaped += "\\\\";
        else if (c == '\n') escaped += "\\n";
        else escaped += c;
    }
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, escaped, name,
                   type == Type::counter ? "counter" : "gauge");
}

void MetricsText::sample(std::string_view name, Labels labels, double value) {
    text_ += name;
    if (labels.size() > 0) {
        char sep = '{';
        for (const auto& [label, label_value] : labels) {
            text_ += sep;
            text_ += label;
            text_ += "=\"";
            text_ += escape_label_value(label_value);
            text_ += '"';
            sep = ',';
        }
        text_ += '}';
    }
    text_ += ' ';
    text_ += format_sample_value(value);
    text_ += '\n';
}

}  // namespace tend
