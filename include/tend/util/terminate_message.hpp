// What a program of tend's says when it ends by std::terminate (an exception
// nothing caught): the exception's what(), as libstdc++'s verbose handler says
// it, without that handler's demangler (37 KB of code in each program,
// linked statically with libstdc++, for a type name in a message that should
// never be seen).
#pragma once

namespace tend {

// Makes the handler std::terminate's (it is from the start where libstdc++ is
// linked statically); called first thing by each main, which is also what
// links this file, and its handler in place of libstdc++'s.
void install_terminate_message();

}  // namespace tend
