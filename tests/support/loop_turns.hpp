// Turns a test's event loop without waiting: what is ready now is dispatched.
#pragma once

#include "tend/event/event_loop.hpp"

namespace tend::testing {

inline void turn(EventLoop& loop, int times = 20) {
    for (int i = 0; i < times; ++i) sd_event_run(loop.get(), 0);
}

}  // namespace tend::testing
