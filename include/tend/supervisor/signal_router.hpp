// The signals tend receives, each to what it means: SIGTERM and SIGINT stop
// everything (a second SIGINT skips the grace periods), SIGHUP reloads,
// SIGUSR1/2 and SIGWINCH go to the services that list them in
// forward_signals, and in `tend -- CMD` mode every catchable signal goes to
// CMD's process group. Every other signal is read and ignored, so none is
// left to its default action (for PID 1: silently dropped).
#pragma once

#include <functional>
#include <vector>

#include "tend/event/event_loop.hpp"
#include "tend/supervisor/service_runner.hpp"
#include "tend/supervisor/service_table.hpp"
#include "tend/supervisor/shutdown_driver.hpp"
#include "tend/supervisor/supervisor_options.hpp"

namespace tend {

class SignalRouter {
public:
    // The signals must already be blocked (tend blocks all of them at start-up).
    SignalRouter(EventLoop& loop, const SupervisorOptions& options, const ServiceTable& services, ServiceRunner& runner,
                 ShutdownDriver& shutdown, std::function<void()> reload);

private:
    void on_signal(int sig);
    void on_exec_signal(int received);
    void forward(int sig);

    const SupervisorOptions& options_;
    const ServiceTable& services_;
    ServiceRunner& runner_;
    ShutdownDriver& shutdown_;
    std::function<void()> reload_;
    std::vector<EventSource> sources_;
};

}  // namespace tend
