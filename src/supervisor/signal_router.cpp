#include "tend/supervisor/signal_router.hpp"

#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/event/signal_mask.hpp"
#include "tend/util/signal_names.hpp"

namespace tend {
namespace {

// Signals a process can be sent and that do not stop it dead. The fault
// signals too (kFaultSignals): read here only when sent with kill(2); a real
// fault in tend still goes to the kernel's default action. SIGCHLD is the
// host's (watch_exits).
constexpr int kWatchedSignals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
                                   SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,
                                   SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSTKFLT};

}  // namespace

SignalRouter::SignalRouter(EventLoop& loop, const SupervisorOptions& options, const ServiceTable& services,
                           ServiceRunner& runner, ShutdownDriver& shutdown, std::function<void()> reload)
    : options_(options), services_(services), runner_(runner), shutdown_(shutdown), reload_(std::move(reload)) {
    std::vector<int> watched(std::begin(kWatchedSignals), std::end(kWatchedSignals));
    watched.insert(watched.end(), std::begin(kFaultSignals), std::end(kFaultSignals));
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) watched.push_back(sig);  // e.g. Docker's STOPSIGNAL SIGRTMIN+3
    for (int sig : watched)
        sources_.push_back(loop.add_signal(sig, [this](const signalfd_siginfo& info) {
            on_signal(static_cast<int>(info.ssi_signo));
        }));
}

void SignalRouter::on_signal(int sig) {
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
            if (shutdown_.started()) {
                spdlog::debug("{} received while shutting down, ignoring", signal_name(sig));
                return;
            }
            shutdown_.begin(signal_name(sig) + " received");
            return;
        case SIGHUP: reload_(); return;
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
void SignalRouter::on_exec_signal(int received) {
    Service& cmd = services_.front();
    int sig = received;
    if (auto it = options_.signal_rewrites.find(received); it != options_.signal_rewrites.end()) sig = it->second;
    if (sig == 0) {
        spdlog::debug("{} received: dropped (--rewrite)", signal_name(received));
        return;
    }
    if ((received == SIGTERM || received == SIGINT) && !shutdown_.started()) {
        ServicePolicy policy = cmd.machine().policy();
        policy.stop_signal = sig;
        cmd.machine().set_policy(policy);
        shutdown_.begin(signal_name(received) + " received");
        return;
    }
    runner_.send_signal(cmd, sig, true);  // during the stop too: forwarded every time, as tini does
}

void SignalRouter::forward(int sig) {
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
