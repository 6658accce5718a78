#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include "tend/process/account_files.hpp"
#include "tend/process/user_lookup.hpp"

namespace unit_account_files_test {

using namespace tend;

namespace {

const char* const kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "app:x:1000:1000::/home/app:/bin/sh\r\n"
    "app:x:2000:2000::/home/other:/bin/sh\n";  // the first entry of a name wins, as in glibc's files module
const char* const kGroup =
    "root:x:0:\n"
    "www-data:x:33:\n"
    "app:x:1000:\n"
    "docker:x:998:app,www-data\n"
    "video:x:44:,app,,\n";

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const CredentialError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("a user from the files: uid, primary gid, and each group that lists the user") {
    const AccountFiles files(kPasswd, kGroup);
    const Credentials app = files.lookup("app", std::nullopt);
    CHECK(app.uid == 1000);
    CHECK(app.gid == 1000);
    CHECK(app.groups == std::vector<gid_t>{1000, 998, 44});
    const Credentials www = files.lookup("33", std::nullopt);
    CHECK(www.uid == 33);
    CHECK(www.groups == std::vector<gid_t>{33, 998});
    const Credentials grouped = files.lookup("app", std::string("docker"));
    CHECK(grouped.gid == 998);
    CHECK(grouped.groups == std::vector<gid_t>{998});
}

TEST_CASE("a name the files do not have is an error naming the file; a bare id runs as itself") {
    const AccountFiles files(kPasswd, kGroup, "/img/etc/passwd", "/img/etc/group");
    CHECK(message_of([&] { files.lookup("nginx", std::nullopt); }) == "no such user 'nginx' in /img/etc/passwd");
    CHECK(message_of([&] { files.lookup("app", std::string("wheel")); }) == "no such group 'wheel' in /img/etc/group");
    CHECK(message_of([&] { files.lookup("4294967296", std::nullopt); }) == "invalid uid 4294967296 (ids are 0..4294967294)");
    const Credentials bare = files.lookup("5000", std::string("6000"));
    CHECK(bare.uid == 5000);
    CHECK(bare.gid == 6000);
}

TEST_CASE("lines that are no entry are skipped, never read as one") {
    const AccountFiles files(
        "\n# comment\n+nis\n-nis:x:0:0:::\n"
        "short:x:1\n"
        "toomany:x:1:1:::/bin/sh:extra\n"
        "badid:x:-1:0:::\n"
        "huge:x:4294967296:0:::\n"
        "minus1:x:4294967295:0:::\n"
        ":x:7:7:::\n"
        "ok:x:10:10:::",  // no newline at the end
        "g:x:notanumber:ok\ng2:x:12\n");
    REQUIRE(files.users().size() == 1);
    CHECK(files.users()[0].name == "ok");
    CHECK(files.groups().empty());
    CHECK(message_of([&] { files.lookup("huge", std::nullopt); }) == "no such user 'huge' in /etc/passwd");
}

TEST_CASE("an image's files are read under its root; a missing one is said, a huge one refused") {
    const auto root = std::filesystem::temp_directory_path() / ("tend-accounts-" + std::to_string(getpid()));
    std::filesystem::create_directories(root / "etc");
    std::ofstream(root / "etc/passwd") << kPasswd;
    const AccountFiles files = AccountFiles::read(ImageRoot(root.string()));
    CHECK(files.lookup("app", std::nullopt).uid == 1000);
    CHECK(message_of([&] { files.lookup("app", std::string("docker")); }) ==
          "no such group 'docker' in " + (root / "etc/group").string() + " (not in the image)");
    std::ofstream(root / "etc/group") << std::string(kMaxAccountFileBytes + 1, '\n');
    CHECK_THROWS_WITH_AS(AccountFiles::read(ImageRoot(root.string())),
                         ((root / "etc/group").string() + ": cannot read: larger than 4 MiB").c_str(), std::runtime_error);
    std::filesystem::remove_all(root);
}

}  // namespace unit_account_files_test
