#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <yaml-cpp/yaml.h>

#include "allocation_count.hpp"
#include "fake_credentials.hpp"
#include "tend/cli/supervisord_import.hpp"
#include "tend/config/config_loader.hpp"

namespace unit_supervisord_import_test {

using namespace tend;

namespace {

struct Conf {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("tend-import-" + std::to_string(getpid()));
    Conf() { std::filesystem::create_directories(dir / "conf.d"); }
    ~Conf() { std::filesystem::remove_all(dir); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    }
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a program's options map onto tend's keys, and the result loads") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:web]\n"
        "command=/usr/sbin/nginx -g \"daemon off;\" --name 'a b' c\\ d\n"
        "directory=/srv\n"
        "user=nobody\n"
        "autostart=false\n"
        "autorestart=unexpected\n"
        "startsecs=0\n"
        "startretries=7\n"
        "exitcodes=0,2\n"
        "stopsignal=QUIT\n"
        "stopwaitsecs=25\n"
        "umask=027\n"
        "environment=A=\"x,y\",B=plain\n"
        "stdout_logfile=/var/log/web.log\n"
        "stdout_logfile_maxbytes=5MB\n"
        "stdout_logfile_backups=2\n"
        "redirect_stderr=true\n"));
    for (const std::string expected : {R"(command: ["/usr/sbin/nginx","-g","daemon off;","--name","a b","c d"])",
                                       "working_dir: \"/srv\"",
                                       "autostart: false",
                                       "restart: \"on-failure\"",
                                       "min_uptime: \"0s\"",
                                       "max_restarts: 7",
                                       "success_exit_codes: [0,2]",
                                       "stop_signal: \"QUIT\"",
                                       "stop_timeout: \"25s\"",
                                       "umask: \"027\"",
                                       R"(environment: {"A":"x,y","B":"plain"})",
                                       "log_file: \"/var/log/web.log\"",
                                       "log_max_size: \"5MB\"",
                                       "log_keep: 2"})
        CHECK_MESSAGE(has(yaml, expected), expected);
    const Config config = parse_config(yaml, "imported.yaml");
    REQUIRE(config.services.size() == 1);
    const ServiceSpec& web = config.services[0];
    CHECK(web.argv.size() == 6);
    CHECK(web.restart == RestartPolicy::on_failure);
    CHECK(web.stop_timeout == std::chrono::seconds(25));
    CHECK(web.log_max_size == 5u * 1024 * 1024);
    CHECK(web.umask == 027);
}

TEST_CASE("what cannot be carried over is a comment with the reason") {
    Conf conf;
    conf.write("conf.d/more.conf", "[program:extra]\ncommand=/bin/true\n");
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:w]\ncommand=/bin/sleep 5\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)s\n"
        "stdout_events_enabled=true\n"
        "[eventlistener:l]\ncommand=/bin/listener\nevents=PROCESS_STATE\n"
        "[group:g]\nprograms=w,extra\n"
        "[include]\nfiles=conf.d/*.conf\n"));
    for (const std::string expected : {"    replicas: 3\n",
                                       "# process_name=%(program_name)s_%(process_num)s not carried over: the instances are w-0 ... w-2",
                                       "# stdout_events_enabled=true not carried over: no counterpart in tend",
                                       "[eventlistener:l]",
                                       "tend has no event listeners",
                                       "[group:g]",
                                       "  extra:\n"})
        CHECK_MESSAGE(has(yaml, expected), expected);
    CHECK(parse_config(yaml, "imported.yaml").services.size() == 4);
}

TEST_CASE("priority becomes dependency order only when asked for") {
    Conf conf;
    const std::string path = conf.write("s.conf",
        "[program:db]\ncommand=/bin/db\npriority=1\n"
        "[program:app]\ncommand=/bin/app\npriority=10\n"
        "[program:web]\ncommand=/bin/web\npriority=10\n"
        "[program:cron]\ncommand=/bin/cron\npriority=20\n");
    std::string plain = import_supervisord(path);
    CHECK_FALSE(has(plain, "    depends_on:"));
    CHECK(has(plain, "use depends_on:, or import with --priority-order"));
    const Config ordered = parse_config(import_supervisord(path, {true}), "imported.yaml");
    CHECK(ordered.find("db")->depends_on.empty());
    REQUIRE(ordered.find("app")->depends_on.size() == 1);
    CHECK(ordered.find("app")->depends_on[0].name == "db");
    REQUIRE(ordered.find("cron")->depends_on.size() == 2);
    CHECK(ordered.find("cron")->depends_on[1].name == "web");
}

TEST_CASE("%(ENV_X)s becomes ${X}, read when tend starts, not what the importing machine has; a missing file is named") {
    Conf conf;
    setenv("TEND_IMPORT_TEST_DIR", "/opt/app", 1);
    unsetenv("TEND_IMPORT_TEST_UNSET");
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:app]\ncommand=%(ENV_TEND_IMPORT_TEST_DIR)s/bin/app --here %(here)s --port=%(ENV_TEND_IMPORT_TEST_UNSET)s\n"
        "directory=/srv/%(ENV_TEND_IMPORT_TEST_UNSET)s\nuser=%(ENV_TEND_IMPORT_TEST_UNSET)s\n"
        "environment=PORT=\"%(ENV_TEND_IMPORT_TEST_UNSET)s\"\n"));
    CHECK(has(yaml, R"(command: ["${TEND_IMPORT_TEST_DIR}/bin/app","--here",")" + conf.dir.string() +
                        R"(","--port=${TEND_IMPORT_TEST_UNSET}"])"));
    CHECK(has(yaml, R"(working_dir: "/srv/${TEND_IMPORT_TEST_UNSET}")"));
    CHECK(has(yaml, R"(user: "${TEND_IMPORT_TEST_UNSET}")"));
    CHECK(has(yaml, R"(environment: {"PORT":"${TEND_IMPORT_TEST_UNSET}"})"));
    CHECK_FALSE(has(yaml, "/opt/app"));
    CHECK(has(yaml, "# supervisord's %(ENV_X)s are read from tend's environment when it starts (an unset ${X} is an "
                    "error, as in supervisord): TEND_IMPORT_TEST_DIR, TEND_IMPORT_TEST_UNSET\n"));
    CHECK_THROWS_WITH_AS(import_supervisord((conf.dir / "missing.conf").string()),
                         ((conf.dir / "missing.conf").string() + ": cannot read: No such file or directory").c_str(), std::runtime_error);
}

TEST_CASE("%(name)d references are formatted as Python's % operator does, beside %(name)s ones") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:w]\ncommand=/bin/worker --n %(process_num)02d --q=%(ENV_QUEUE)s --m %(unknown)s --w=%(ENV_WIDTH)03d\n"
        "environment=NUM=\"%(process_num)d\",Q=\"%(ENV_QUEUE)s\"\n"));
    CHECK(has(yaml, R"(command: ["/bin/worker","--n","00","--q=${QUEUE}","--m","%(unknown)s","--w=${WIDTH}"])"));
    CHECK(has(yaml, R"(environment: {"NUM":"0","Q":"${QUEUE}"})"));
    CHECK(has(yaml, "# %(unknown)s is not known to tend import: kept as written"));
    CHECK(has(yaml, "# %(ENV_WIDTH)03d became ${WIDTH}, the variable's value as it is: tend does not format it as %03d would"));
}

TEST_CASE("Laravel's queue worker: numprocs=8 and a process_name template become 8 replicas") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:laravel-worker]\nprocess_name=%(program_name)s_%(process_num)02d\n"
        "command=php /var/www/artisan queue:work sqs --sleep=3 --tries=3 --max-time=3600\n"
        "autostart=true\nautorestart=true\nstopasgroup=true\nkillasgroup=true\nnumprocs=8\n"
        "redirect_stderr=true\nstdout_logfile=/var/www/worker.log\nstopwaitsecs=3600\n"));
    CHECK(has(yaml, "    replicas: 8\n"));
    CHECK(has(yaml, R"(command: ["php","/var/www/artisan","queue:work","sqs","--sleep=3","--tries=3","--max-time=3600"])"));
    CHECK(has(yaml, "# numprocs=8: replicas: 8, instances laravel-worker-0 ... laravel-worker-7"));
    const Config config = parse_config(yaml, "imported.yaml", fake_credentials);
    REQUIRE(config.services.size() == 8);
    CHECK(config.services[7].name == "laravel-worker-7");
    CHECK(config.services[7].log_file == "/var/www/worker.log");
}

TEST_CASE("%(process_num)d of a replicated program is ${TEND_REPLICA}; with numprocs_start or padding, sh computes it") {
    Conf conf;
    std::string plain = import_supervisord(conf.write("a.conf",
        "[program:w]\ncommand=/bin/w --slot %(process_num)d\nnumprocs=3\nenvironment=SLOT=\"%(process_num)d\"\n"));
    CHECK(has(plain, R"(command: ["/bin/w","--slot","${TEND_REPLICA}"])"));
    CHECK(has(plain, R"(environment: {"SLOT":"${TEND_REPLICA}"})"));
    const Config a = parse_config(plain, "imported.yaml", fake_credentials);
    REQUIRE(a.services.size() == 3);
    CHECK(a.services[2].argv == std::vector<std::string>{"/bin/w", "--slot", "2"});

    std::string offset = import_supervisord(conf.write("b.conf",
        "[program:w]\ncommand=/bin/w --slot %(process_num)02d --of %(numprocs)d\nnumprocs=2\nnumprocs_start=5\n"
        "directory=/srv/%(process_num)d\n"));
    CHECK(has(offset, R"(command: "process_num=$$(printf %02d $$((TEND_REPLICA + 5))); exec /bin/w --slot $process_num --of 2")"));
    CHECK(has(offset, "# %(process_num)02d in command= is $process_num, which /bin/sh computes from ${TEND_REPLICA} (0-based) + "
                      "numprocs_start 5, formatted %02d: tend's interpolation cannot add or pad"));
    CHECK(has(offset, "# %(process_num)d outside command= became ${TEND_REPLICA}, which counts from 0 (supervisord's from "
                      "numprocs_start=5): tend's interpolation cannot add or pad"));
    const Config b = parse_config(offset, "imported.yaml", fake_credentials);
    REQUIRE(b.services.size() == 2);
    CHECK(b.services[1].argv == std::vector<std::string>{"/bin/sh", "-c", "process_num=$(printf %02d $((TEND_REPLICA + 5))); exec /bin/w --slot $process_num --of 2"});

    std::string single = import_supervisord(conf.write("c.conf", "[program:w]\ncommand=/bin/w %(process_num)d\nnumprocs_start=4\n"));
    CHECK(has(single, R"(command: ["/bin/w","4"])"));
    CHECK_FALSE(has(single, "replicas"));
    CHECK(has(import_supervisord(conf.write("d.conf", "[program:w]\ncommand=/bin/w\nnumprocs=lots\n")),
              "# numprocs=lots not carried over: tend's replicas: is a number from 0 to 10000"));
}

TEST_CASE("a $ of the original is written $$ for tend's interpolation, except a $NAME left to the shell") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:a]\ncommand=/bin/sh -c 'echo $HOME ${HOME} $$ cost$5 $'\n"
        "environment=P=\"a${B}c\",Q=\"$%(program_name)s\"\n"));
    CHECK(has(yaml, R"(command: ["/bin/sh","-c","echo $HOME $${HOME} $$$$ cost$$5 $$"])"));
    CHECK(has(yaml, R"(environment: {"P":"a$${B}c","Q":"$$a"})"));
}

TEST_CASE("a boolean, number or duration from %(ENV_X)s is left for tend to read once ${X} is substituted") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:a]\ncommand=/bin/a\nautostart=%(ENV_START)s\nstartsecs=%(ENV_SECS)s\nstartretries=%(ENV_TRIES)s\n"
        "stopwaitsecs=%(ENV_WAIT)s\nautorestart=%(ENV_RESTART)s\nexitcodes=%(ENV_CODES)s\n"));
    for (const std::string expected : {R"(autostart: "${START}")", R"(min_uptime: "${SECS}s")", R"(max_restarts: "${TRIES}")",
                                       R"(stop_timeout: "${WAIT}s")", R"(restart: "${RESTART}")",
                                       "# autostart=%(ENV_START)s: tend takes true, yes, on, false, no or off here",
                                       "# autorestart=%(ENV_RESTART)s: tend takes always, on-failure or never here",
                                       "# exitcodes=%(ENV_CODES)s not carried over"})
        CHECK_MESSAGE(has(yaml, expected), expected);
    CHECK_FALSE(has(yaml, "autostart: false"));
    CHECK_FALSE(has(yaml, "    success_exit_codes:"));
}

TEST_CASE("a %(ENV_X)s that is a whole word of command= is split by /bin/sh, as supervisord split it") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:php]\ncommand=%(ENV_PHP_COMMAND)s\n"
        "[program:mixed]\ncommand=%(ENV_BIN)s --name 'a b' --sleep=%(ENV_SLEEP)s \"it's ok\"\n"
        "[program:worker]\ncommand=php artisan queue:work --sleep=%(ENV_SLEEP)s \"%(ENV_QUEUE)s\"\n"));
    CHECK(has(yaml, R"(command: "exec $PHP_COMMAND")"));
    CHECK(has(yaml, R"(command: "exec $BIN --name 'a b' --sleep=\"$SLEEP\" 'it'\\''s ok'")"));
    CHECK(has(yaml, R"(command: ["php","artisan","queue:work","--sleep=${SLEEP}","${QUEUE}"])"));
    CHECK(has(yaml, "the command runs through /bin/sh, which splits $X the same way"));
    setenv("BIN", "/bin/true", 1);
    setenv("SLEEP", "3", 1);
    setenv("QUEUE", "q", 1);
    setenv("PHP_COMMAND", "php -v", 1);
    const Config config = parse_config(yaml, "imported.yaml");
    CHECK(config.find("php")->argv == std::vector<std::string>{"/bin/sh", "-c", "exec $PHP_COMMAND"});
}

TEST_CASE("every spelling of the container's stdout and stderr is tend's default output, not a log file") {
    Conf conf;
    std::string text;
    int n = 0;
    for (const std::string out : {"/dev/stdout", "/dev/fd/1", "/proc/1/fd/1", "/proc/self/fd/1"})
        for (const std::string err : {"/dev/stderr", "/dev/fd/2", "/proc/1/fd/2", "/proc/self/fd/2"})
            text += "[program:p" + std::to_string(n++) + "]\ncommand=/bin/p\nstdout_logfile=" + out +
                    "\nstdout_logfile_maxbytes=0\nstderr_logfile=" + err + "\nstderr_logfile_maxbytes=0\n";
    std::string yaml = import_supervisord(conf.write("s.conf", text));
    CHECK_FALSE(has(yaml, "log_file"));
    CHECK_FALSE(has(yaml, "log_max_size"));
    CHECK_FALSE(has(yaml, "not carried over"));
    CHECK(parse_config(yaml, "imported.yaml").services.size() == 16);
}

TEST_CASE("an [include] glob that matches nothing is said; --root reads it in the image, %(here)s is the image's") {
    Conf conf;
    const std::string main = "[supervisord]\nnodaemon=true\n[include]\nfiles=/etc/supervisor/conf.d/*.conf extra/*.ini\n";
    std::vector<std::string> said;
    ImportOptions options;
    options.warn = [&](const std::string& text) { said.push_back(text); };
    const std::string path = conf.write("s.conf", main);
    std::string yaml = import_supervisord(path, options);
    CHECK(has(yaml, "services: {}"));
    const std::string expected = "[include] (" + path + ":3) files=/etc/supervisor/conf.d/*.conf matched nothing: if the files "
                                 "are in an image, import with --root DIR (the image's root file system)";
    CHECK(has(yaml, "# " + expected + "\n"));
    REQUIRE(said.size() == 2);
    CHECK(said[0] == expected);

    std::filesystem::create_directories(conf.dir / "root/etc/supervisor/conf.d");
    std::filesystem::create_directories(conf.dir / "root/etc/supervisor/extra");
    conf.write("root/etc/supervisor/supervisord.conf", main);
    conf.write("root/etc/supervisor/conf.d/app.conf", "[program:app]\ncommand=/srv/app --conf %(here)s/app.ini\n");
    conf.write("root/etc/supervisor/extra/cron.ini", "[program:cron]\ncommand=/usr/sbin/cron -f\n");
    said.clear();
    options.root = ImageRoot((conf.dir / "root").string() + "/");
    yaml = import_supervisord("/etc/supervisor/supervisord.conf", options);
    CHECK(said.empty());
    CHECK(has(yaml, R"(command: ["/srv/app","--conf","/etc/supervisor/conf.d/app.ini"])"));
    CHECK(has(yaml, R"(command: ["/usr/sbin/cron","-f"])"));
    std::filesystem::remove(conf.dir / "root/etc/supervisor/extra/cron.ini");
    yaml = import_supervisord("/etc/supervisor/supervisord.conf", options);
    REQUIRE(said.size() == 1);
    CHECK(said[0] == "[include] (" + (conf.dir / "root").string() +
                         "/etc/supervisor/supervisord.conf:3) files=extra/*.ini matched nothing under " + (conf.dir / "root").string());
    // A config on this machine (not yet copied into the image): its relative globs are read beside it.
    conf.write("conf.d/local.conf", "[program:local]\ncommand=/bin/local\n");
    const std::string local = conf.write("local.conf", "[include]\nfiles=conf.d/*.conf\n");
    yaml = import_supervisord(std::filesystem::relative(local).string(), options);
    CHECK(has(yaml, R"(command: ["/bin/local"])"));
}

TEST_CASE("supervisorctl's servers: the socket is carried over, the port and credentials as a comment") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[unix_http_server]\nfile=/run/supervisor.sock\nchmod=0700\nchown=root:ops\nusername=runtime\npassword=secret\n"
        "[inet_http_server]\nport=127.0.0.1:9001\nusername=user\npassword={SHA}82ab876d1387bfafe46cc1c8a2ef074eae50cb1d\n"
        "[program:a]\ncommand=/bin/a\n"));
    CHECK(has(yaml, "  control_socket: \"/run/supervisor.sock\"\n  control_group: \"ops\"\n"));
    CHECK(has(yaml, ":1) chmod=0700, username=runtime, password=secret: tend's control socket is mode 0600"));
    CHECK(has(yaml, ":7) port=127.0.0.1:9001, username=user, password={SHA}82ab876d1387bfafe46cc1c8a2ef074eae50cb1d: "
                    "tend has no HTTP server yet"));
}

// Found by the import fuzz target (tests/fuzz/fuzz_import.cpp): each of these
// used to print YAML that was not valid, or a tend.yaml with keys the input
// put there, or an error without its place.
TEST_CASE("a value continued over lines stays inside its comment") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:a]\ncommand=/bin/a\n[group:g]\nprograms=a,\n  b: injected\n"));
    CHECK(has(yaml, "# [group:g] (" + (conf.dir / "s.conf").string() + ":3) programs=a,\n#   b: injected: tend has no groups"));
    const YAML::Node root = YAML::Load(yaml);
    CHECK(root.size() == 1);
    CHECK(root["services"]["a"]);
}

TEST_CASE("a file that includes itself is read once; a program defined twice is merged as supervisord does") {
    Conf conf;
    conf.write("more.conf", "[program:a]\ncommand=/bin/a --later\nuser=nobody\n");
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:a]\ncommand=/bin/a\ndirectory=/srv\n[include]\nfiles=*.conf\n"));
    CHECK(has(yaml, "s.conf: already read, not read again"));
    CHECK(has(yaml, "[program:a] again at " + (conf.dir / "more.conf").string() + ":1: its options were merged"));
    const Config config = parse_config(yaml, "imported.yaml");
    REQUIRE(config.services.size() == 1);
    CHECK(config.services[0].argv == std::vector<std::string>{"/bin/a", "--later"});
    CHECK(config.services[0].working_dir == "/srv");
    CHECK(has(yaml, "user: \"nobody\""));
}

TEST_CASE("programs whose names come out the same in tend are told apart") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf",
        "[program:a:b]\ncommand=/bin/x\n[program:a b]\ncommand=/bin/y\n[program:all]\ncommand=/bin/z\n"
        "[program:@php]\ncommand=/bin/php\n[program:null]\ncommand=/bin/n\n"));
    const Config config = parse_config(yaml, "imported.yaml");
    REQUIRE(config.services.size() == 5);
    CHECK(has(yaml, "\n  \"@php\":\n"));  // '@' cannot start a plain YAML scalar
    CHECK(config.services[3].name == "@php");
    CHECK(config.services[4].name == "null");
    CHECK(config.services[0].name == "a-b");
    CHECK(config.services[1].name == "a-b-2");
    CHECK(config.services[2].name == "program-all");
    CHECK(has(yaml, "renamed from 'a b'"));
}

TEST_CASE("a bad command, variable name or count is refused or quoted, never written as YAML of its own") {
    Conf conf;
    const std::string path = conf.write("s.conf", "[program:a]\ncommand=/bin/sh -c \"echo\n");
    CHECK_THROWS_WITH_AS(import_supervisord(path), (path + ":2: command: unbalanced quote in /bin/sh -c \"echo").c_str(),
                         std::runtime_error);
    conf.write("s.conf", "[program:a]\ncommand=/bin/a\nenvironment=A=1,B C=2\n");
    CHECK_THROWS_WITH_AS(import_supervisord(path), (path + ":3: environment: 'B C' is not a variable name").c_str(),
                         std::runtime_error);
    std::string yaml = import_supervisord(conf.write("t.conf", "[program:a]\ncommand=/bin/a\nstartretries=3\n  x: 1\n"));
    CHECK(has(yaml, "max_restarts: \"3\\nx: 1\""));
    CHECK(YAML::Load(yaml)["services"]["a"].size() == 2);
}

TEST_CASE("text that is not UTF-8 is refused at its line; a missing include directory matches nothing") {
    Conf conf;
    const std::string path = conf.write("s.conf", "[program:a]\ncommand=/bin/caf\xe9\n");
    CHECK_THROWS_WITH_AS(import_supervisord(path), (path + ":2: not UTF-8 text (byte 17 of the line)").c_str(),
                         std::runtime_error);
    std::string yaml = import_supervisord(conf.write("t.conf", "[program:a]\ncommand=/bin/a\n[include]\nfiles=nowhere/*.conf\n"));
    CHECK(has(yaml, "command: [\"/bin/a\"]"));
}

TEST_CASE("a %(name)Nd width past any sense is held, not allocated") {
    Conf conf;
    std::string yaml = import_supervisord(conf.write("s.conf", "[program:a]\ncommand=/bin/a %(process_num)055555555555d\n"));
    CHECK(has(yaml, "\"/bin/a\",\"" + std::string(255, '0') + "\"]"));
}

namespace {

// The bytes one import of an in-memory file allocates: the same on every run, where
// time is not, and a quadratic step shows in it as it would in time.
std::size_t import_bytes(const std::string& text) {
    const ImportSource source{[&](const std::string&) { return text; },
                              [](const std::string&) { return std::vector<std::string>{}; }};
    const std::size_t before = tend::test::bytes_allocated();
    import_supervisord("/s.conf", {}, source);
    return tend::test::bytes_allocated() - before;
}

// A program name of n's digits written with characters tend replaces, so all come out as "a-----".
std::string unruly_name(int n) {
    const std::string digits = "!$&*+,/<>?^~|{}'";
    std::string name = "a";
    for (int i = 0; i < 5; ++i, n /= 16) name += digits[n % 16];
    return name;
}

}  // namespace

TEST_CASE("import's work is linear in a value's length and in the number of sections") {
    // Each shape at n and 8n: linear is 8 times the bytes, quadratic 64. (Its time is
    // in bench/import_bench.py.)
    auto program = [](const std::string& value) { return "[program:a]\ncommand=/bin/echo" + value + "\n"; };
    auto repeated = [](int count, const std::function<std::string(int)>& piece) {
        std::string text;
        for (int i = 0; i < count; ++i) text += piece(i);
        return text;
    };
    const std::vector<std::pair<std::string, std::function<std::string(int)>>> shapes = {
        {"a long value", [&](int n) { return program(" " + std::string(n * 16, 'x')); }},
        {"a value of unclosed %(", [&](int n) { return program(repeated(n * 8, [](int) { return " %("; })); }},
        {"a value of %(a) without a conversion", [&](int n) { return program(repeated(n * 4, [](int) { return "%(a)"; })); }},
        {"a value of unknown references",
         [&](int n) { return program(repeated(n / 2, [](int i) { return " %(u" + std::to_string(i) + ")s"; })); }},
        {"many sections",
         [&](int n) { return repeated(n / 8, [](int i) { return "[program:p" + std::to_string(i) + "]\ncommand=/bin/true\n"; }); }},
        {"one section repeated with new keys",
         [&](int n) { return repeated(n / 8, [](int i) { return "[program:a]\nk" + std::to_string(i) + "=v\n"; }); }},
        {"programs whose names collide",
         [&](int n) { return repeated(n / 16, [](int i) { return "[program:" + unruly_name(i) + "]\ncommand=/bin/true\n"; }); }},
    };
    const int n = 1024;
    for (const auto& entry : shapes) {
        // (Not a structured binding: clang 14 cannot name one inside CHECK_MESSAGE's lambda.)
        const auto& shape = entry.first;
        const auto& text = entry.second;
        const double small = static_cast<double>(import_bytes(text(n)));
        const double large = static_cast<double>(import_bytes(text(8 * n)));
        MESSAGE(shape << ": " << small << " bytes, 8 times the size: " << large << " bytes");
        CHECK_MESSAGE(large / small < 16, shape);
    }
}

}  // namespace unit_supervisord_import_test
