// `tend import supervisord.conf`: an equivalent tend.yaml for a supervisord
// config, so its users can carry theirs over. What cannot be carried over
// (event listeners, numprocs, process_name templates, ...) is written into the
// output as a comment with the reason, at the place it would have gone.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tend/util/image_root.hpp"

namespace tend {

struct ImportOptions {
    // supervisord's priority orders starts but is no dependency; with this, each
    // program depends on every program of the next lower priority (and so also
    // stops before them).
    bool priority_order = false;
    // Absolute paths (the main file's, [include] globs) are read under this
    // root: an image's file system, unpacked or mounted.
    ImageRoot root;
    // Told what the user should know and the output alone would not show
    // (an [include] glob that matched nothing); tend prints it on stderr.
    std::function<void(const std::string&)> warn;
};

// Where the files come from: the file system, or (for the fuzz target) a map.
// Each throws std::runtime_error naming what it cannot read.
struct ImportSource {
    std::function<std::string(const std::string& path)> read;
    std::function<std::vector<std::string>(const std::string& pattern)> glob;  // no match: empty
};
ImportSource file_system_source();

// The tend.yaml text. Reads [include] files too. Throws std::runtime_error
// naming the file (and line) it cannot read or parse.
std::string import_supervisord(const std::string& path, const ImportOptions& options = {},
                               const ImportSource& source = file_system_source());

}  // namespace tend
