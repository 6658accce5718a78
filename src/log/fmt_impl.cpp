// fmt's implementation, compiled once, as spdlog's is (spdlog_impl.cpp). With
// FMT_HEADER_ONLY every file that logs compiled all of format-inl.h again
// (about 1 s each); without it the headers declare, and this file defines what
// fmt's own src/format.cc does. Linked statically: no libfmt.so in PID 1.
#ifdef FMT_HEADER_ONLY
#error "fmt_impl.cpp is built without FMT_HEADER_ONLY (meson.build's spdlog_args)"
#endif

#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                                 locale_ref);

}  // namespace detail
FMT_END_NAMESPACE
