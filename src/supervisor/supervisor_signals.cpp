// Signals tend receives: shutdown, reload, forwarding to the services that ask,
// and in `tend -- CMD` mode everything to CMD's process group.
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/supervisor/supervisor.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {

void Supervisor::on_signal(int sig) {
    if (options_.exec_mode) {
        on_exec_signal(sig);
        return;
    }
    switch (sig) {
        case SIGTERM:
        case SIGINT:
            if (sig == SIGINT && shutdown_.sequence().count_interrupt() >= 2) {
                shutdown_.escalate();
                return;
            }
            if (shutting_down()) {
                spdlog::debug("{} received while shutting down, ignoring", signal_name(sig));
                return;
            }
            request_shutdown(signal_name(sig) + " received");
            return;
        case SIGHUP: reload_from_signal(); return;
        case SIGUSR1:
        case SIGUSR2:
        case SIGWINCH: forward(sig); return;
        default:
            spdlog::debug("{} received, ignoring", signal_name(sig));
            return;
    }
}

// As tini and dumb-init: every catchable signal reaches CMD's process group,
// rewritten first when --rewrite asks; SIGTERM and SIGINT also begin the stop
// (CMD gets the grace, then SIGKILL).
void Supervisor::on_exec_signal(int received) {
    Service& cmd = services_.front();
    int sig = received;
    if (auto it = options_.signal_rewrites.find(received); it != options_.signal_rewrites.end()) sig = it->second;
    if (sig == 0) {
        spdlog::debug("{} received: dropped (--rewrite)", signal_name(received));
        return;
    }
    if ((received == SIGTERM || received == SIGINT) && !shutting_down()) {
        ServicePolicy policy = cmd.machine().policy();
        policy.stop_signal = sig;
        cmd.machine().set_policy(policy);
        request_shutdown(signal_name(received) + " received");
        return;
    }
    runner_.send_signal(cmd, sig, true);  // during the stop too: forwarded every time, as tini does
}

void Supervisor::forward(int sig) {
    int sent = 0;
    for (auto& s : services_) {
        const auto& wanted = s->spec().forward_signals;
        if (s->scope.empty() || std::find(wanted.begin(), wanted.end(), sig) == wanted.end()) continue;
        runner_.send_signal(*s, sig, true);
        ++sent;
    }
    if (sent == 0) spdlog::info("{} received: no running service asks for it, ignoring", signal_name(sig));
    else spdlog::debug("{} forwarded to {} service(s)", signal_name(sig), sent);
}

}  // namespace tend
