#include "tend/util/terminate_message.hpp"

#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>

namespace tend {
namespace {

// write(2) and nothing else: the handler may run with the heap or stdio in any state.
void say(const char* text) {
    for (std::size_t left = std::strlen(text); left > 0;) {
        ssize_t n = write(STDERR_FILENO, text, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        left -= static_cast<std::size_t>(n);
    }
}

[[noreturn]] void say_why_and_abort() noexcept {
    // A second entry (what() threw, or another thread terminates meanwhile) says nothing more.
    static std::atomic_flag entered = ATOMIC_FLAG_INIT;
    if (entered.test_and_set()) std::abort();
    say(program_invocation_short_name);
    if (std::exception_ptr uncaught = std::current_exception()) {
        try {
            std::rethrow_exception(uncaught);
        } catch (const std::exception& e) {
            say(": terminated by an uncaught exception: ");
            say(e.what());
        } catch (...) {
            say(": terminated by an uncaught exception that is not a std::exception");
        }
    } else {
        say(": terminated without an active exception");
    }
    say("\n");
    std::abort();
}

}  // namespace

}  // namespace tend

// The handler std::terminate calls: libstdc++'s variable, defined here, so
// that the library's own definition (and with it the verbose handler and its
// demangler) is not linked from a static libstdc++.
namespace __cxxabiv1 {
extern std::terminate_handler __terminate_handler;
std::terminate_handler __terminate_handler = tend::say_why_and_abort;
}  // namespace __cxxabiv1

// Not std::set_terminate: its code names the verbose handler (set_terminate(nullptr)
// restores it), so calling it would link the demangler back in.
void tend::install_terminate_message() {
    __cxxabiv1::__terminate_handler = say_why_and_abort;
#ifdef TEND_SHARED_LIBSTDCXX
    // A shared libstdc++ reads its own variable, and its verbose handler costs this program nothing.
    std::set_terminate(say_why_and_abort);
#endif
}
