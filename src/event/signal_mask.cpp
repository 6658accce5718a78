#include "tend/event/signal_mask.hpp"

#include <signal.h>

#include "tend/util/system_error.hpp"

namespace tend {

void block_signals() {
    sigset_t set;
    sigfillset(&set);
    // A fault in tend itself must still crash it (and leave a core), not hang.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&set, sig);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) throw errno_error("Failed to block signals");
}

}  // namespace tend
