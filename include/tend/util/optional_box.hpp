// An optional value kept out of line: the size of a pointer when empty. For
// the parts of a service's definition that most services leave unset (a
// schedule, a user to run as), so a table of thousands of services does not
// carry hundreds of unused bytes in each. Reads like std::optional.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace tend {

template <typename T>
class OptionalBox {
public:
    OptionalBox() = default;
    OptionalBox(std::nullopt_t) {}
    OptionalBox(T value) : value_(std::make_unique<T>(std::move(value))) {}
    OptionalBox(const std::optional<T>& value) {
        if (value) value_ = std::make_unique<T>(*value);
    }
    OptionalBox(const OptionalBox& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
    OptionalBox(OptionalBox&&) noexcept = default;
    OptionalBox& operator=(const OptionalBox& other) {
        if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
        return *this;
    }
    OptionalBox& operator=(OptionalBox&&) noexcept = default;
    OptionalBox& operator=(std::nullopt_t) {
        value_.reset();
        return *this;
    }
    OptionalBox& operator=(T value) {
        value_ = std::make_unique<T>(std::move(value));
        return *this;
    }
    OptionalBox& operator=(const std::optional<T>& value) { return *this = OptionalBox(value); }

    bool has_value() const { return value_ != nullptr; }
    explicit operator bool() const { return has_value(); }
    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    T* operator->() { return value_.get(); }
    const T* operator->() const { return value_.get(); }
    const T& value() const {
        if (!value_) throw std::bad_optional_access();
        return *value_;
    }
    void reset() { value_.reset(); }
    operator std::optional<T>() const { return value_ ? std::optional<T>(*value_) : std::nullopt; }

    friend bool operator==(const OptionalBox& a, const OptionalBox& b) {
        return a.value_ ? b.value_ && *a.value_ == *b.value_ : !b.value_;
    }
    friend bool operator==(const OptionalBox& a, const std::optional<T>& b) {
        return a.value_ ? b && *a.value_ == *b : !b;
    }

private:
    std::unique_ptr<T> value_;
};

}  // namespace tend
