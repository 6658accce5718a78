// tend: make the supervisor, start it, run the loop, exit with its code.
#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "tend/cli/check_command.hpp"
#include "tend/cli/config_schema.hpp"
#include "tend/cli/supervisord_import.hpp"
#include "tend/cli/exec_config.hpp"
#include "tend/cli/tend_options.hpp"
#include "tend/config/config_error.hpp"
#include "tend/control/control_server.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/http/http_front.hpp"
#include "tend/event/background_task.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/event/loop_clock.hpp"
#include "tend/event/quiet_watch.hpp"
#include "tend/event/signal_mask.hpp"
#include "tend/log/logging.hpp"
#include "tend/log/queued_log.hpp"
#include "tend/process/code_pages.hpp"
#include "tend/process/fd_limit.hpp"
#include "tend/process/posix_spawner.hpp"
#include "tend/process/standard_fds.hpp"
#include "tend/supervisor/operations.hpp"
#include "tend/supervisor/supervisor.hpp"
#include "tend/util/terminate_message.hpp"

namespace {

// Runs tend until its loop ends; everything it made is gone when this returns.
int supervise(tend::Config config, const tend::TendOptions& options) {
    using namespace tend;
    // One malloc arena for tend's two threads: what a reload's read allocated
    // (a 150,000-service file: over 800 MB at its peak) lands where
    // malloc_trim() gives it all back. A thread's own arena would keep what
    // lies under its top, past the trim threshold glibc raised on the way.
    mallopt(M_ARENA_MAX, 1);
    // From here a kill(2)-sent SIGSEGV or SIGABRT is read and forwarded, not fatal.
    block_fault_signals();
    const bool is_pid1 = getpid() == 1;
    // Not PID 1: become the subreaper, so orphans of services land on tend, not on the host's init.
    if (!is_pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        spdlog::warn("Failed to become a child subreaper: {}, ignoring", std::strerror(errno));

    EventLoop loop;
    PosixSpawner spawner(raise_fd_limit());
    SystemProcessHost host(spawner);
    LoopClock clock(loop);
    const bool exec_mode = options.mode == TendOptions::Mode::exec;
    Supervisor supervisor(std::move(config), loop, host, clock,
                          {exec_mode, is_pid1, exec_mode ? std::string() : options.config_path,
                           options.exit_remaps, options.signal_rewrites});
    // From here on tend's own log never blocks on a stuck stderr reader.
    QueuedLog queued_log(loop, supervisor.output().writer());
    // tend -- CMD is a drop-in for tini: no socket unless a config asks for one.
    // The front ends' one way in; declared before them, which hold its waits.
    Operations operations(supervisor, loop);
    std::optional<ControlServer> control;
    std::unique_ptr<HttpFront> http;  // settings.http: off until a config (or a reload) asks for it
    if (!exec_mode) {
        control.emplace(loop, operations, supervisor.settings());
        http = make_http_front(loop, operations, supervisor.settings());
    }
    supervisor.start();
    // Parsing the config and spawning left freed heap behind; a long-lived PID 1
    // should not keep it, even one that is never quiet.
    malloc_trim(0);
    // What ran once (the config's reading, the first spawns, a reload, a
    // request) leaves its code mapped, freed heap and grown output queues
    // behind; a second with nothing to do gives them back. Not while a
    // reload's read runs on its thread: it is busy, not quiet, and the
    // mappings could change under the release's look at them (its user
    // lookups may load NSS modules).
    QuietWatch quiet(loop, std::chrono::seconds(1), [&, pages = true]() mutable {
        if (BackgroundTask::working() > 0) return true;
        supervisor.output().writer().release_idle();
        queued_log.release_idle();
        // Once /proc/self/smaps could not be read the code stays mapped; the rest is still given back.
        if (!pages || !(pages = release_idle_pages())) malloc_trim(0);
        return true;
    });
    return loop.run();
}

// A config read still under way (its thread cannot be stopped halfway) must
// not hold the exit: _exit() ends the process with the thread in it, where
// exit() would run static destructors under it.
int end_process(int code) {
    if (tend::BackgroundTask::abandoned() == 0) return code;
    spdlog::default_logger()->flush();
    std::fflush(nullptr);
    _exit(code);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tend;
    install_terminate_message();
    try {
        open_missing_standard_fds();
        block_signals();
        auto parsed = parse_tend_options(argc, argv);
        if (auto* code = std::get_if<int>(&parsed)) return *code;
        const TendOptions& options = std::get<TendOptions>(parsed);
        if (options.mode == TendOptions::Mode::check) return check_config(options.config_path, ImageRoot(options.root), std::cout, std::cerr);
        if (options.mode == TendOptions::Mode::schema) {
            std::cout << config_schema();
            return 0;
        }
        if (options.mode == TendOptions::Mode::import) {
            try {
                ImportOptions import{options.priority_order, ImageRoot(options.root),
                                     [](const std::string& said) { std::cerr << "tend import: " << said << "\n"; }};
                std::cout << import_supervisord(options.import_path, import);
                return 0;
            } catch (const std::runtime_error& e) {
                std::cerr << "tend import: " << e.what() << "\n";
                return 1;
            }
        }

        Config config;
        try {
            config = options.mode == TendOptions::Mode::exec ? exec_mode_config(options.command, options.grace)
                                                             : load_config_file(options.config_path);
        } catch (const ConfigError& e) {
            for (const auto& d : e.diagnostics()) std::cerr << "tend: " << d.to_string() << "\n";
            return 2;
        }
        setup_logging(config.settings.log_format, config.settings.log_level);

        return end_process(supervise(std::move(config), options));
    } catch (const std::exception& e) {
        std::cerr << "tend: " << e.what() << "\n";
        return 1;
    }
}
