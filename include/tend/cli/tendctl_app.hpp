// tendctl: parses the command line, sends one request, prints the answer,
// and maps it to supervisorctl-style exit codes.
#pragma once

namespace tend {

enum TendctlExit { kOk = 0, kFailed = 1, kUsage = 2, kCannotConnect = 3, kNotRunning = 4 };

int run_tendctl(int argc, char** argv);

}  // namespace tend
