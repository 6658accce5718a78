#include "tend/http/mhd_library.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace tend {
namespace {

constexpr const char* kSoname = "libmicrohttpd.so.12";

template <class F>
void bind(void* library, F& function, const char* name) {
    function = reinterpret_cast<F>(dlsym(library, name));
    if (!function) throw std::runtime_error(std::string(kSoname) + " has no " + name);
}

MhdLibrary load() {
    // RTLD_LOCAL: its symbols (and GnuTLS's) stay out of tend's namespace.
    void* library = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (!library)
        throw std::runtime_error(std::string("settings.http needs libmicrohttpd (Debian: libmicrohttpd12): ") + dlerror());
    MhdLibrary m{};
    bind(library, m.start_daemon, "MHD_start_daemon");
    bind(library, m.stop_daemon, "MHD_stop_daemon");
    bind(library, m.run, "MHD_run");
    bind(library, m.get_timeout, "MHD_get_timeout");
    bind(library, m.get_daemon_info, "MHD_get_daemon_info");
    bind(library, m.get_connection_info, "MHD_get_connection_info");
    bind(library, m.get_connection_values, "MHD_get_connection_values");
    bind(library, m.create_response_from_buffer, "MHD_create_response_from_buffer");
    bind(library, m.create_response_from_callback, "MHD_create_response_from_callback");
    bind(library, m.add_response_header, "MHD_add_response_header");
    bind(library, m.queue_response, "MHD_queue_response");
    bind(library, m.destroy_response, "MHD_destroy_response");
    bind(library, m.http_unescape, "MHD_http_unescape");
    bind(library, m.basic_auth_get_username_password, "MHD_basic_auth_get_username_password");
    bind(library, m.queue_basic_auth_fail_response, "MHD_queue_basic_auth_fail_response");
    bind(library, m.free, "MHD_free");
    bind(library, m.lookup_connection_value, "MHD_lookup_connection_value");
    bind(library, m.suspend_connection, "MHD_suspend_connection");
    bind(library, m.resume_connection, "MHD_resume_connection");
    return m;  // the library stays loaded for tend's life
}

}  // namespace

const MhdLibrary& mhd() {
    // A failed load throws and is tried again at the next listener (a reload
    // after the package was installed).
    static const MhdLibrary library = load();
    return library;
}

}  // namespace tend
