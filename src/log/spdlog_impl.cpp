// spdlog's implementation, compiled once. Debian ships spdlog as headers and a
// shared library; tend links no C++ library dynamically (see meson.build), and
// using the headers alone compiles all of spdlog into every file that logs
// (about 4 s each). With SPDLOG_COMPILED_LIB the headers only declare, and this
// file defines, as spdlog's own src/*.cpp do, what tend uses.
#ifndef SPDLOG_COMPILED_LIB
#error "spdlog_impl.cpp is built with SPDLOG_COMPILED_LIB (meson.build's spdlog_args)"
#endif

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

// Only the sinks tend makes: stderr_sink_st (its log), base_sink<null_mutex>
// (the queued log), and ansicolor_stdout_sink_mt (spdlog's default logger).
template class SPDLOG_API spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class SPDLOG_API spdlog::sinks::stdout_sink_base<spdlog::details::console_nullmutex>;
template class SPDLOG_API spdlog::sinks::stderr_sink<spdlog::details::console_nullmutex>;
template class SPDLOG_API spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class SPDLOG_API spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
