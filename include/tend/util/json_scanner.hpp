// A JSON reader that builds nothing: it walks the text once and reports each
// value to a handler as it passes (a SAX reader). tendctl reads a `status`
// reply of 100 services with it in about a tenth of the instructions
// nlohmann::json's own SAX parser took, which was most of what the command did.
//
// Strict RFC 8259: one value, whitespace around it, strings of valid UTF-8
// with their escapes (surrogate pairs joined, a lone surrogate refused),
// numbers in JSON's grammar. A UTF-8 byte order mark before the value is
// skipped, as nlohmann::json does. Nesting is kept in a vector, not on the
// stack, so depth is bounded by the text alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tend {

// Each method returns false to stop the reading (scan_json then returns
// false); each takes its event and goes on unless overridden.
class JsonEvents {
public:
    virtual ~JsonEvents() = default;
    virtual bool null() { return true; }
    virtual bool boolean(bool) { return true; }
    virtual bool integer(std::int64_t) { return true; }
    // An integer past INT64_MAX that fits 64 bits; larger ones come as number().
    virtual bool unsigned_integer(std::uint64_t) { return true; }
    virtual bool number(double) { return true; }
    // The decoded text; the handler may move from it.
    virtual bool string(std::string&) { return true; }
    virtual bool key(std::string&) { return true; }
    virtual bool start_object() { return true; }
    virtual bool end_object() { return true; }
    virtual bool start_array() { return true; }
    virtual bool end_array() { return true; }
};

// True when `text` is one JSON value and every event was taken.
bool scan_json(std::string_view text, JsonEvents& events);

}  // namespace tend
