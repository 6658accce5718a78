// Who a service runs as: what the spawner sets before exec and the config's
// `user:` and `group:` resolve to.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tend {

struct Credentials {
    std::string user_name;  // as written, for messages
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups, set before the uid drop
};

}  // namespace tend
