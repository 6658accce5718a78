// tend may be started with stdin, stdout or stderr closed (`tend <&-`, some
// container runtimes). The next open() would then land on 0, 1 or 2: a config
// file or the control socket would become "stdout", and services with
// `output: inherit` would get no valid fd. So the gaps are filled with
// /dev/null first thing in main.
#pragma once

namespace tend {

// Opens /dev/null on each of fds 0-2 that is closed. Throws on failure.
void open_missing_standard_fds();

}  // namespace tend
