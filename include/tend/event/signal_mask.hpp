// tend reads signals through signalfd, which only sees blocked signals; and
// for PID 1 a blocked signal is never dropped. So every signal but the fault
// signals is blocked first thing in main, before anything can arrive; the
// fault signals too once tend supervises, so that one sent with kill(2) is
// read (and forwarded) rather than fatal.
#pragma once

#include <csignal>

namespace tend {

// Raised by a fault in tend itself (a bad access, a trap, seccomp, abort()),
// the kernel delivers them even while blocked, at their default action: tend
// still crashes and leaves a core. Sent with kill(2) they are ordinary signals.
inline constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};

// Every signal but the fault signals: `tend check`, `import` and `schema`
// keep the default action of a fault signal, however it comes.
void block_signals();
// The fault signals as well, before the loop that reads them and before any
// thread (a thread that left one unblocked would take a kill(2)-sent one and die).
void block_fault_signals();

}  // namespace tend
