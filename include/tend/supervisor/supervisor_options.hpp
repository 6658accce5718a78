// How tend runs as a whole: as PID 1 or not, and `tend -- CMD` (exec mode)
// with its exit-code remaps and signal rewrites.
#pragma once

#include <map>
#include <string>

namespace tend {

struct SupervisorOptions {
    bool exec_mode = false;  // tend -- CMD: one critical service, signals forwarded, its status is ours
    bool is_pid1 = false;
    std::string config_path;  // re-read on reload; empty in exec mode
    std::map<int, int> exit_remaps;      // exec mode: CMD's status -> tend's exit code
    std::map<int, int> signal_rewrites;  // exec mode: received -> forwarded (0: dropped)
};

}  // namespace tend
