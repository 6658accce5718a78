// A JSON Schema of tend.yaml for editors (VS Code's YAML extension and any
// YAML language server): completion and validation as one types. Built from
// the same key lists the loader checks against, so a key added there and not
// described here fails the build's test instead of drifting.
#pragma once

#include <string>

namespace tend {

// The schema as config/tend.schema.json holds it (`tend schema` prints it).
// Throws std::logic_error naming a key the loader knows and the schema does not.
std::string config_schema();

}  // namespace tend
