#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <vector>

#include "fake_clock.hpp"
#include "fake_process_host.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/supervisor/service_checks.hpp"

namespace unit_service_checks_test {

using namespace tend;
using namespace std::chrono_literals;

namespace {

struct Rig {
    EventLoop loop;
    FakeClock clock;
    FakeProcessHost host;
    UniqueFd dev_null{open("/dev/null", O_WRONLY | O_CLOEXEC)};
    OutputRouter router{loop, LogFormat::text, dev_null.get()};
    std::string dir;
    std::vector<ServiceEvent> events;
    std::vector<pid_t> probes;
    std::vector<Duration> extended;
    std::optional<ServiceChecks> checks;

    int probe_likes_made = 0;  // by the hook: a command check with nothing kept from the spawn

    explicit Rig(const std::string& service_yaml) {
        char tmpl[] = "/tmp/tend-checks-XXXXXX";
        dir = mkdtemp(tmpl);
        Config c = parse_config("services:\n  web:\n    command: web\n" + service_yaml, "t.yaml");
        CheckHooks hooks;
        hooks.emit = [this](const ServiceEvent& e) { events.push_back(e); };
        hooks.track_probe = [this](pid_t pid) { probes.push_back(pid); };
        hooks.extend_ready = [this](Duration d) { extended.push_back(d); };
        hooks.changed = [] {};
        hooks.probe_like = [this]() -> std::optional<SpawnRequest> {
            ++probe_likes_made;
            SpawnRequest like;
            like.environment = {"MADE=afresh"};
            return like;
        };
        checks.emplace(loop, clock, host, router, c.services.front(), dir + "/notify", std::move(hooks));
    }
    ~Rig() {
        checks.reset();
        std::filesystem::remove_all(dir);
    }
    void turn(int times = 3) {
        for (int i = 0; i < times; ++i) loop.run_once(0ms);
    }
    // Time passes: the checks' timers that fall due fire, each followed by a loop turn.
    void wait(Duration d) {
        clock.advance(d, [this] { turn(1); });
    }
    bool got(EventKind kind) const {
        for (const auto& e : events)
            if (e.kind == kind) return true;
        return false;
    }
};

void notify(const std::string& path, const std::string& text) {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    close(fd);
}

std::string env_value(const SpawnRequest& r, const std::string& key) {
    for (const auto& e : r.environment)
        if (e.starts_with(key + "=")) return e.substr(key.size() + 1);
    return "";
}

}  // namespace

TEST_CASE("sd_notify: READY=1 from the main process makes it ready; STATUS= is kept") {
    Rig r("    ready: {notify: systemd, watchdog: 2s}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    const std::string socket = env_value(request, "NOTIFY_SOCKET");
    CHECK(socket == r.dir + "/notify/web");
    CHECK(env_value(request, "WATCHDOG_USEC") == "2000000");
    r.checks->spawned(getpid(), request);  // this test process plays the main process
    notify(socket, "STATUS=loading\n");
    r.turn();
    CHECK(r.checks->status_text() == "loading");
    CHECK_FALSE(r.got(EventKind::ready));
    notify(socket, "READY=1\nSTATUS=serving");
    r.turn();
    CHECK(r.got(EventKind::ready));
    CHECK(r.checks->status_text() == "serving");
}

TEST_CASE("sd_notify: a message from another pid is ignored under notify_access main") {
    Rig r("    ready: {notify: systemd}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(getpid() + 100000, request);  // the main process is someone else
    notify(env_value(request, "NOTIFY_SOCKET"), "READY=1");
    r.turn();
    CHECK_FALSE(r.got(EventKind::ready));
}

TEST_CASE("sd_notify: notify_access all takes its own processes' messages, not a stranger's") {
    // The main process: a child in a group of its own, of which this test process is not.
    pid_t main = fork();
    REQUIRE(main >= 0);
    if (main == 0) {
        setpgid(0, 0);
        pause();
        _exit(0);
    }
    setpgid(main, main);  // either side may come first
    Rig stranger("    ready: {notify: systemd, notify_access: all}\n");
    SpawnRequest request;
    stranger.checks->prepare(request);
    stranger.checks->spawned(main, request);
    notify(env_value(request, "NOTIFY_SOCKET"), "READY=1");
    stranger.turn();
    CHECK_FALSE(stranger.got(EventKind::ready));
    kill(main, SIGKILL);
    waitpid(main, nullptr, 0);

    // This test process as the main process: its child, still alive when read, is one of its own.
    Rig own("    ready: {notify: systemd, notify_access: all}\n");
    SpawnRequest request2;
    own.checks->prepare(request2);
    own.checks->spawned(getpid(), request2);
    const std::string socket = env_value(request2, "NOTIFY_SOCKET");
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        notify(socket, "READY=1");
        pause();
        _exit(0);
    }
    for (int i = 0; i < 200 && !own.got(EventKind::ready); ++i) own.loop.run_once(10ms);
    CHECK(own.got(EventKind::ready));
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
}

TEST_CASE("sd_notify: MAINPID= naming a process not of its own is ignored, so that process cannot make it ready") {
    Rig r("    ready: {notify: systemd}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    const std::string socket = env_value(request, "NOTIFY_SOCKET");
    int go[2];
    REQUIRE(pipe(go) == 0);
    // The main process, in a group of its own, names its parent (this test process, a stranger to it) as its main pid.
    pid_t main = fork();
    REQUIRE(main >= 0);
    if (main == 0) {
        setpgid(0, 0);
        char c;
        if (read(go[0], &c, 1) == 1) notify(socket, "MAINPID=" + std::to_string(getppid()) + "\n");
        pause();
        _exit(0);
    }
    setpgid(main, main);
    r.checks->spawned(main, request);
    REQUIRE(write(go[1], "x", 1) == 1);
    r.loop.run_once(2000ms);  // wakes at the MAINPID= message
    r.turn();
    notify(socket, "READY=1");  // from this test process, the pid it named
    r.turn();
    CHECK_FALSE(r.got(EventKind::ready));
    kill(main, SIGKILL);
    waitpid(main, nullptr, 0);
    close(go[0]);
    close(go[1]);
}

TEST_CASE("the readiness fd: the service gets the write end at fd N; a newline means ready") {
    Rig r("    ready: {notify: fd, fd: 4}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    CHECK(request.pass_fd_as == 4);
    REQUIRE(request.pass_fd >= 0);
    int child_end = dup(request.pass_fd);  // what the child keeps across the spawn
    r.checks->spawned(12345, request);
    CHECK(write(child_end, "ok", 2) == 2);
    r.turn();
    CHECK_FALSE(r.got(EventKind::ready));
    CHECK(write(child_end, "\n", 1) == 1);
    r.turn();
    CHECK(r.got(EventKind::ready));
    close(child_end);
}

TEST_CASE("the readiness fd is no longer read after 64 KiB without a newline") {
    Rig r("    ready: {notify: fd, fd: 4}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    int child_end = dup(request.pass_fd);
    r.checks->spawned(12345, request);
    fcntl(child_end, F_SETFL, O_NONBLOCK);
    auto* previous = signal(SIGPIPE, SIG_IGN);
    const std::string chunk(4096, 'x');
    std::size_t written = 0;
    int error = 0;
    for (int i = 0; i < 10000 && error == 0; ++i) {
        ssize_t n = write(child_end, chunk.data(), chunk.size());
        if (n > 0) written += static_cast<std::size_t>(n);
        else if (errno == EAGAIN) r.turn(1);
        else error = errno;
    }
    signal(SIGPIPE, previous);
    CHECK(error == EPIPE);  // tend closed its end
    CHECK(written >= 64 * 1024);
    CHECK_FALSE(r.got(EventKind::ready));
    close(child_end);
}

TEST_CASE("a reload's health change reaches the checks of a running service: added, changed, removed") {
    auto health_of = [](const std::string& yaml) {
        return parse_config("services:\n  web:\n    command: web\n    health: " + yaml + "\n", "t.yaml")
            .services.front()
            .health;
    };
    Rig r("");
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(500, request);
    r.checks->running();
    CHECK(r.probes.empty());
    CHECK(r.checks->health().verdict == HealthState::Verdict::none);

    r.checks->update_health(health_of("{exec: [check], interval: 1ms}"));
    REQUIRE(r.probes.size() == 1);
    CHECK(r.host.spawned.back().second == "check");
    CHECK(r.checks->health().verdict == HealthState::Verdict::unknown);

    r.checks->update_health(health_of("{exec: [other], interval: 1ms}"));
    REQUIRE(r.probes.size() == 2);
    CHECK(r.host.spawned.back().second == "other");
    auto killed = r.host.signals_to(r.probes[0]);
    CHECK(std::find(killed.begin(), killed.end(), SIGKILL) != killed.end());

    r.checks->update_health(HealthSpec{});
    CHECK(r.checks->health().verdict == HealthState::Verdict::none);
    killed = r.host.signals_to(r.probes[1]);
    CHECK(std::find(killed.begin(), killed.end(), SIGKILL) != killed.end());
    CHECK(r.probes.size() == 2);
}

TEST_CASE("a command check runs in the environment of the service's spawn, made afresh when added by a reload") {
    auto health_of = [](const std::string& yaml) {
        return parse_config("services:\n  web:\n    command: web\n    health: " + yaml + "\n", "t.yaml")
            .services.front()
            .health;
    };
    SUBCASE("with a command check from the start, the spawn's own environment") {
        Rig r("    health: {exec: [check], interval: 1ms}\n");
        SpawnRequest request;
        request.environment = {"FROM=spawn"};
        r.checks->prepare(request);
        r.checks->spawned(500, request);
        r.checks->running();
        REQUIRE(r.probes.size() == 1);
        CHECK(r.host.last_environment == std::vector<std::string>{"FROM=spawn"});
        CHECK(r.probe_likes_made == 0);
    }
    SUBCASE("without one at the spawn (nothing kept), the hook makes it when a reload adds one") {
        Rig r("    health: {tcp: 9, interval: 1h}\n");
        SpawnRequest request;
        request.environment = {"FROM=spawn"};
        r.checks->prepare(request);
        r.checks->spawned(500, request);
        r.checks->running();
        r.checks->update_health(health_of("{exec: [check], interval: 1ms}"));
        REQUIRE(r.probes.size() == 1);
        CHECK(r.host.last_environment == std::vector<std::string>{"MADE=afresh"});
        CHECK(r.probe_likes_made == 1);
    }
}

TEST_CASE("a health check added while the service is not running starts with its next run") {
    Rig r("");
    r.checks->update_health(
        parse_config("services:\n  web:\n    command: web\n    health: {exec: [check]}\n", "t.yaml").services.front().health);
    CHECK(r.probes.empty());
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(500, request);
    r.checks->running();
    REQUIRE(r.probes.size() == 1);
    CHECK(r.host.spawned.back().second == "check");
}

TEST_CASE("a readiness command is tried every interval until it passes") {
    Rig r("    ready: {exec: [pg_isready], interval: 1m}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(500, request);
    REQUIRE(r.probes.size() == 1);
    r.checks->probe_exited(r.probes[0], ExitStatus::exited(2));
    r.wait(59s);
    REQUIRE(r.probes.size() == 1);  // not before the interval
    r.wait(1s);
    REQUIRE(r.probes.size() == 2);  // tried again after the interval
    CHECK(r.host.spawned.back().second == "pg_isready");
    CHECK_FALSE(r.got(EventKind::ready));
    r.checks->probe_exited(r.probes[1], ExitStatus::exited(0));
    CHECK(r.got(EventKind::ready));
}

TEST_CASE("health: failures count up to retries, then unhealthy; a pass resets them") {
    Rig r("    health: {exec: [check], interval: 1ms, retries: 2}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(500, request);
    r.checks->running();
    REQUIRE(r.probes.size() == 1);
    CHECK(r.checks->health().verdict == HealthState::Verdict::unknown);
    r.checks->probe_exited(r.probes.back(), ExitStatus::exited(0));
    CHECK(r.checks->health().verdict == HealthState::Verdict::healthy);
    CHECK(r.checks->health().passed_once);
    auto next_probe = [&] {
        std::size_t before = r.probes.size();
        r.wait(1ms);
        REQUIRE(r.probes.size() == before + 1);
    };
    next_probe();
    r.checks->probe_exited(r.probes.back(), ExitStatus::exited(1));
    CHECK(r.checks->health().failures == 1);
    CHECK(r.checks->health().verdict == HealthState::Verdict::healthy);
    CHECK_FALSE(r.got(EventKind::unhealthy));
    next_probe();
    r.checks->probe_exited(r.probes.back(), ExitStatus::exited(1));
    CHECK(r.checks->health().verdict == HealthState::Verdict::unhealthy);
    REQUIRE(r.got(EventKind::unhealthy));
    CHECK(r.events.back().error == "health check failed 2 times: exit code 1");
}

TEST_CASE("ended stops every check: no probe after the service is down") {
    Rig r("    health: {exec: [check], interval: 1ms}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(500, request);
    r.checks->running();
    r.checks->probe_exited(r.probes.back(), ExitStatus::exited(0));
    r.checks->ended();
    std::size_t probes = r.probes.size();
    r.wait(1h);
    CHECK(r.probes.size() == probes);
}

TEST_CASE("sd_notify: EXTEND_TIMEOUT_USEC asks for more time while not ready; WATCHDOG=trigger is a failure") {
    Rig r("    ready: {notify: systemd, watchdog: 1h}\n");
    SpawnRequest request;
    r.checks->prepare(request);
    r.checks->spawned(getpid(), request);
    const std::string socket = env_value(request, "NOTIFY_SOCKET");
    notify(socket, "EXTEND_TIMEOUT_USEC=2500000");
    r.turn();
    REQUIRE(r.extended.size() == 1);
    CHECK(r.extended[0] == std::chrono::milliseconds(2500));
    notify(socket, "READY=1");
    r.turn();
    r.checks->running();
    notify(socket, "WATCHDOG=trigger");
    r.turn();
    REQUIRE(r.got(EventKind::unhealthy));
    CHECK(r.events.back().error == "it asked for its watchdog (WATCHDOG=trigger)");
}

TEST_CASE("ready.log: searches take at most a tenth of the time; past it lines are skipped until the next window") {
    Rig rig("    ready: {log: 'started'}\n");
    SpawnRequest request;
    rig.checks->prepare(request);
    rig.checks->spawned(42, request);
    rig.clock.tick_per_now = 3ms;  // every search takes 3 ms: four fill the 10 ms of a 100 ms window
    auto line = [&](std::string_view text) {
        rig.router.publish(LineView{rig.router.next_seq(), WallClock::now(), "web", OutputStream::out, false, text});
        rig.turn();
    };
    for (int i = 0; i < 5; ++i) line("nothing yet");  // the 5th is past the window's share
    line("started");                                  // skipped: the same window
    CHECK_FALSE(rig.got(EventKind::ready));
    rig.clock.tick_per_now = {};
    rig.clock.advance(100ms);
    line("started");
    CHECK(rig.got(EventKind::ready));
}

}  // namespace unit_service_checks_test
