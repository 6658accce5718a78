// tend reads signals through signalfd, which only sees blocked signals; and
// for PID 1 a blocked signal is never dropped. So every signal but the fault
// signals is blocked first thing in main, before anything can arrive.
#pragma once

namespace tend {

void block_signals();

}  // namespace tend
