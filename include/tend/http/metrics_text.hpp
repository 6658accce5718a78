// Prometheus' text exposition format (version 0.0.4), written out: each
// family's HELP and TYPE once, then its samples, label values escaped as the
// format says (backslash, double quote, newline).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tend {

// The content type a scraper expects for this format.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// `value` as a label value goes between double quotes: \ " and newline escaped.
std::string escape_label_value(std::string_view value);

class MetricsText {
public:
    using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;
    enum class Type { gauge, counter };

    // `expected`: the page's likely size, reserved at once.
    explicit MetricsText(std::size_t expected = 0) { text_.reserve(expected); }

    // Starts a family: its samples follow, none of another family between.
    void family(std::string_view name, Type type, std::string_view help);
    void sample(std::string_view name, Labels labels, double value);
    void sample(std::string_view name, double value) { sample(name, {}, value); }
    const std::string& text() const { return text_; }
    std::string take() && { return std::move(text_); }

private:
    std::string text_;
};

// A sample value as the format writes it: integers without a fraction, NaN and infinities by name.
std::string format_sample_value(double value);

}  // namespace tend
