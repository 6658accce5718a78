#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fake_credentials.hpp"
#include "config_errors.hpp"
#include "temp_dir.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_interpolation.hpp"
#include "tend/config/config_loader.hpp"

namespace unit_config_interpolation_test {

using namespace tend;
using tend::test::TempDir;

namespace {

// Sets a variable of tend's own environment for one test.
struct ScopedVariable {
    std::string name;
    ScopedVariable(std::string n, const char* value) : name(std::move(n)) { setenv(name.c_str(), value, 1); }
    ~ScopedVariable() { unsetenv(name.c_str()); }
};

using tend::test::errors_of;


}  // namespace

TEST_CASE("every string value is interpolated: argv, environment, settings and nested maps") {
    ScopedVariable port("TEND_T_PORT", "8080"), stop("TEND_T_STOP", "4s"), level("TEND_T_LEVEL", "debug");
    Config c = parse_config(R"(
settings:
  log_level: ${TEND_T_LEVEL}
services:
  web:
    command: [app, "--port=${TEND_T_PORT}", "$$HOME", "$HOME"]
    environment: {PORT: "${TEND_T_PORT}", LIST: "${TEND_T_NOPE:-a}"}
    stop_timeout: ${TEND_T_STOP}
    max_restarts: ${TEND_T_MAX:-7}
    autostart: ${TEND_T_AUTO:-false}
    backoff: {initial: "${TEND_T_INITIAL:-1s}"}
)", "t.yaml", fake_credentials);
    const ServiceSpec& web = c.services.at(0);
    CHECK(web.argv == std::vector<std::string>{"app", "--port=8080", "$HOME", "$HOME"});
    CHECK(web.environment.at("PORT") == "8080");
    CHECK(web.environment.at("LIST") == "a");
    CHECK(web.stop_timeout == Duration(4000));
    CHECK(web.max_restarts == 7);
    CHECK_FALSE(web.autostart);
    CHECK(web.backoff.initial == Duration(1000));
    CHECK(c.settings.log_level == "debug");
}

TEST_CASE("mapping keys are not interpolated, as in compose") {
    ScopedVariable key("TEND_T_KEY", "X");
    Config c = parse_config("services:\n  a:\n    command: [x]\n    environment: {\"${TEND_T_KEY}\": v}\n", "t.yaml",
                            fake_credentials);
    CHECK(c.services.at(0).environment.count("${TEND_T_KEY}") == 1);
}

TEST_CASE("an unset variable is an error at the column of its ${, with the shell spelling") {
    CHECK(errors_of("services:\n  web:\n    command: echo ${TEND_T_UNSET}\n") ==
          "t.yaml:3:19: services.web.command: ${TEND_T_UNSET} is not set; give it a default (${TEND_T_UNSET:-value}), "
          "or write $${TEND_T_UNSET} to leave it to the service's shell");
    CHECK(errors_of("services:\n  web:\n    command: [a, \"x ${TEND_T_UNSET}\"]\n").starts_with(
        "t.yaml:3:21: services.web.command[1]: ${TEND_T_UNSET} is not set"));
}

TEST_CASE("a value written over lines is placed at its start") {
    CHECK(errors_of("services:\n  web:\n    command: |\n      echo\n      ${TEND_T_UNSET}\n").starts_with(
        "t.yaml:3:14: services.web.command: ${TEND_T_UNSET} is not set"));
}

TEST_CASE("an alias and its anchor are one value, interpolated once: $$ stays one $") {
    Config c = parse_config("services:\n  s:\n    command: [x, &v \"$${TEND_T_UNSET}\", *v, *v]\n", "t.yaml",
                            fake_credentials);
    CHECK(c.services.at(0).argv == std::vector<std::string>{"x", "${TEND_T_UNSET}", "${TEND_T_UNSET}", "${TEND_T_UNSET}"});
}

TEST_CASE("the growth of the whole config is bounded") {
    std::string big(100'000, 'x');
    ScopedVariable var("TEND_T_BIG", big.c_str());
    std::string yaml = "services:\n";
    for (int i = 0; i < 200; ++i)
        yaml += "  s" + std::to_string(i) + ":\n    command: [x, \"${TEND_T_BIG}\"]\n";
    CHECK(errors_of(yaml).find("interpolation would make the config more than 16 MiB larger than written") !=
          std::string::npos);
}

TEST_CASE("settings.env_file gives values under tend's own environment, relative to the config's directory") {
    TempDir dir;
    dir.write("vars.env", "TEND_T_FILE=from-file\nTEND_T_BOTH=file\n");
    dir.write("tend.yaml",
              "settings:\n  env_file: vars.env\nservices:\n  a:\n    command: [x, \"${TEND_T_FILE}\", \"${TEND_T_BOTH}\"]\n"
              "    environment: [TEND_T_FILE, TEND_T_BOTH, TEND_T_NONE]\n");
    ScopedVariable both("TEND_T_BOTH", "tend");
    Config c = load_config_file((dir.path / "tend.yaml").string(), fake_credentials);
    const ServiceSpec& a = c.services.at(0);
    CHECK(a.argv == std::vector<std::string>{"x", "from-file", "tend"});
    CHECK(a.environment == std::map<std::string, std::string>{{"TEND_T_FILE", "from-file"}, {"TEND_T_BOTH", "tend"}});
    CHECK(c.settings.env_files == std::vector<EnvFileRef>{{(dir.path / "vars.env").string(), true}});
}

TEST_CASE("a missing settings.env_file is an error at its key, and an optional one is not") {
    TempDir dir;
    dir.write("tend.yaml", "settings:\n  env_file: nope.env\nservices: {}\n");
    try {
        load_config_file((dir.path / "tend.yaml").string(), fake_credentials);
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == (dir.path / "tend.yaml").string() + ":2:13: settings.env_file: cannot read " +
                                           (dir.path / "nope.env").string() + ": No such file or directory");
    }
    dir.write("tend.yaml", "settings:\n  env_file: [{path: nope.env, required: false}]\nservices: {}\n");
    CHECK_NOTHROW(load_config_file((dir.path / "tend.yaml").string(), fake_credentials));
}

TEST_CASE("the settings.env_file path is interpolated from tend's own environment") {
    TempDir dir;
    dir.write("vars.env", "TEND_T_FILE=yes\n");
    ScopedVariable where("TEND_T_DIR", dir.path.c_str());
    dir.write("tend.yaml", "settings:\n  env_file: ${TEND_T_DIR}/vars.env\nservices:\n  a:\n    command: [\"${TEND_T_FILE}\"]\n");
    Config c = load_config_file((dir.path / "tend.yaml").string(), fake_credentials);
    CHECK(c.services.at(0).argv.at(0) == "yes");
}

TEST_CASE("a service's env_file takes a path, a list and compose's long form, relative to its file") {
    Config c = parse_config(
        "services:\n  a:\n    command: [x]\n    env_file: /etc/a.env\n  b:\n    command: [x]\n"
        "    env_file: [b.env, {path: /c.env, required: false}]\n",
        "/srv/app/tend.yaml", fake_credentials);
    CHECK(c.services.at(0).env_files == std::vector<EnvFileRef>{{"/etc/a.env", true}});
    CHECK(c.services.at(1).env_files == std::vector<EnvFileRef>{{"/srv/app/b.env", true}, {"/c.env", false}});
}

TEST_CASE("a malformed env_file key is refused with its place") {
    CHECK(errors_of("services:\n  a:\n    command: [x]\n    env_file: {required: false}\n") ==
          "t.yaml:4:15: services.a.env_file: missing required key 'path'");
    CHECK(errors_of("services:\n  a:\n    command: [x]\n    env_file: [{path: a, requird: false}]\n") ==
          "t.yaml:4:26: services.a.env_file[0]: unknown key 'requird' (did you mean 'required'?)");
    CHECK(errors_of("services:\n  a:\n    command: [x]\n    env_file: \"\"\n") ==
          "t.yaml:4:15: services.a.env_file: expected a file name");
}

TEST_CASE("environment: [NAME] passes tend's value through and adds nothing when it is unset") {
    ScopedVariable pass("TEND_T_PASS", "passed");
    Config c = parse_config("services:\n  a:\n    command: [x]\n    environment: [TEND_T_PASS, TEND_T_UNSET, A=1]\n",
                            "t.yaml", fake_credentials);
    CHECK(c.services.at(0).environment == std::map<std::string, std::string>{{"A", "1"}, {"TEND_T_PASS", "passed"}});
    CHECK(errors_of("services:\n  a:\n    command: [x]\n    environment: [A, A=1]\n") ==
          "t.yaml:4:22: services.a.environment[1]: A is set twice in the list");
    CHECK(errors_of("services:\n  a:\n    command: [x]\n    environment: [\"=x\"]\n") ==
          "t.yaml:4:19: services.a.environment: expected KEY=value or NAME, got '=x'");
}

TEST_CASE("environment: {NAME: null} passes tend's value through as [NAME] does, not an empty value") {
    ScopedVariable pass("TEND_T_PASS", "passed");
    Config c = parse_config("services:\n  a:\n    command: [x]\n"
                            "    environment: {TEND_T_PASS: null, TEND_T_UNSET: ~, TEND_T_BARE: , EMPTY: \"\"}\n",
                            "t.yaml", fake_credentials);
    CHECK(c.services.at(0).environment == std::map<std::string, std::string>{{"EMPTY", ""}, {"TEND_T_PASS", "passed"}});
}

TEST_CASE("an included file is interpolated with the same variables, and its env_file is relative to it") {
    TempDir dir;
    std::filesystem::create_directory(dir.path / "conf.d");
    dir.write("vars.env", "TEND_T_FROM_MAIN=main-file\n");
    dir.write("tend.yaml", "settings:\n  env_file: vars.env\n  include: conf.d/*.yaml\nservices: {}\n");
    dir.write("conf.d/extra.yaml", "services:\n  extra:\n    command: [\"${TEND_T_FROM_MAIN}\"]\n    env_file: extra.env\n");
    Config c = load_config_file((dir.path / "tend.yaml").string(), fake_credentials);
    const ServiceSpec& extra = c.services.at(0);
    CHECK(extra.argv == std::vector<std::string>{"main-file"});
    CHECK(extra.env_files == std::vector<EnvFileRef>{{(dir.path / "conf.d" / "extra.env").string(), true}});
}

TEST_CASE("adversarial: an alias bomb is walked once per node, not once per path (10^10 here)") {
    std::string yaml = "l0: &l0 [\"$${HOME}\", \"${TEND_T_NOPE:-x}\"]\n";
    for (int level = 1; level < 10; ++level) {
        yaml += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
        for (int i = 0; i < 10; ++i) yaml += (i ? ", *l" : "*l") + std::to_string(level - 1);
        yaml += "]\n";
    }
    yaml += "services:\n  a:\n    command: [echo, *l0]\n";
    const auto started = std::chrono::steady_clock::now();
    // The merge-key walk that runs first refuses it; interpolation must not be what takes the time.
    CHECK(errors_of(yaml).find("\"billion laughs\" document") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

}  // namespace unit_config_interpolation_test
