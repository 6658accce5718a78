#include "tend/event/signal_mask.hpp"

#include <signal.h>

#include "tend/util/system_error.hpp"

namespace tend {

void block_signals() {
    sigset_t set;
    sigfillset(&set);
    for (int sig : kFaultSignals) sigdelset(&set, sig);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) throw errno_error("Failed to block signals");
}

void block_fault_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kFaultSignals) sigaddset(&set, sig);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) throw errno_error("Failed to block the fault signals");
}

}  // namespace tend
