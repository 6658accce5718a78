#include "tend/process/scope.hpp"

namespace tend {

Scope Scope::process_group(pid_t pgid) {
    Scope scope;
    scope.group_ = pgid;
    return scope;
}

std::string Scope::describe() const { return "process group " + std::to_string(group_); }

}  // namespace tend
