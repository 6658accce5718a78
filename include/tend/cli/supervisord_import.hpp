// `tend import supervisord.conf`: an equivalent tend.yaml for a supervisord
// config, so its users can carry theirs over. What cannot be carried over
// (event listeners, numprocs, process_name templates, ...) is written into the
// output as a comment with the reason, at the place it would have gone.
#pragma once

#include <string>

namespace tend {

struct ImportOptions {
    // supervisord's priority orders starts but is no dependency; with this, each
    // program depends on every program of the next lower priority (and so also
    // stops before them).
    bool priority_order = false;
};

// The tend.yaml text. Reads [include] files too. Throws std::runtime_error
// naming the file (and line) it cannot read or parse.
std::string import_supervisord(const std::string& path, const ImportOptions& options = {});

}  // namespace tend
