#include "tend/http/metrics_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace tend {

namespace {

// Written straight into the page: a scrape of 1,000 services has 15,000
// samples, and a string per label value or figure was a malloc each.
void append_label_value(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

void append_sample_value(std::string& out, double value) {
    if (std::isnan(value)) out += "NaN";
    else if (std::isinf(value)) out += value > 0 ? "+Inf" : "-Inf";
    else if (value == std::floor(value) && std::fabs(value) < 1e15)
        fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(value));
    else fmt::format_to(std::back_inserter(out), "{}", value);  // shortest text that reads back the same
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    append_label_value(out, value);
    return out;
}

std::string format_sample_value(double value) {
    std::string out;
    append_sample_value(out, value);
    return out;
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
            append_label_value(text_, label_value);
            text_ += '"';
            sep = ',';
        }
        text_ += '}';
    }
    text_ += ' ';
    append_sample_value(text_, value);
    text_ += '\n';
}

}  // namespace tend
