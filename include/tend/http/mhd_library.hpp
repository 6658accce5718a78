// libmicrohttpd, loaded with dlopen() when the first HTTP listener starts:
// linked, it would bring GnuTLS and nine more shared libraries into every
// tend (about 2.5 MB of resident memory, most of a small PID 1's), where most
// configs never turn settings.http on.
#pragma once

#include <microhttpd.h>

namespace tend {

struct MhdLibrary {
    decltype(&::MHD_start_daemon) start_daemon;
    decltype(&::MHD_stop_daemon) stop_daemon;
    decltype(&::MHD_run) run;
    decltype(&::MHD_get_timeout) get_timeout;
    decltype(&::MHD_get_daemon_info) get_daemon_info;
    decltype(&::MHD_get_connection_info) get_connection_info;
    decltype(&::MHD_get_connection_values) get_connection_values;
    decltype(&::MHD_create_response_from_buffer) create_response_from_buffer;
    decltype(&::MHD_create_response_from_callback) create_response_from_callback;
    decltype(&::MHD_add_response_header) add_response_header;
    decltype(&::MHD_queue_response) queue_response;
    decltype(&::MHD_destroy_response) destroy_response;
    decltype(&::MHD_http_unescape) http_unescape;
    decltype(&::MHD_basic_auth_get_username_password) basic_auth_get_username_password;
    decltype(&::MHD_queue_basic_auth_fail_response) queue_basic_auth_fail_response;
    decltype(&::MHD_free) free;
    decltype(&::MHD_lookup_connection_value) lookup_connection_value;
    decltype(&::MHD_suspend_connection) suspend_connection;
    decltype(&::MHD_resume_connection) resume_connection;
};

// Loaded at the first call and kept; throws std::runtime_error saying what to
// install when the library or one of its functions is missing.
const MhdLibrary& mhd();

}  // namespace tend
