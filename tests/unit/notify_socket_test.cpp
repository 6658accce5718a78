#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>

#include "open_descriptors.hpp"
#include "tend/process/notify_socket.hpp"

namespace unit_notify_socket_test {

using namespace tend;

namespace {

struct TempDir {
    std::string path;
    std::shared_ptr<const UniqueFd> fd;
    TempDir() {
        char tmpl[] = "/tmp/tend-notify-XXXXXX";
        path = mkdtemp(tmpl);
        fd = std::make_shared<const UniqueFd>(open_notify_dir(path));
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

void send_to(const std::string& path, const std::string& text) {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    CHECK(sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address) ==
          static_cast<ssize_t>(text.size()));
    close(fd);
}

}  // namespace

TEST_CASE("notify fields are KEY=VALUE lines; others are ignored") {
    auto f = parse_notify_fields("READY=1\nSTATUS=Accepting connections = yes\nnonsense\n=x\nMAINPID=42");
    CHECK(f.size() == 3);
    CHECK(f["READY"] == "1");
    CHECK(f["STATUS"] == "Accepting connections = yes");
    CHECK(f["MAINPID"] == "42");
    CHECK(parse_notify_fields("").empty());
}

TEST_CASE("a message carries its sender's pid from the kernel") {
    TempDir dir;
    NotifySocket socket(dir.fd, dir.path, "web", std::nullopt);
    CHECK_FALSE(socket.receive().has_value());  // nothing yet, and no blocking
    send_to(socket.path(), "READY=1\nSTATUS=up\n");
    auto message = socket.receive();
    REQUIRE(message.has_value());
    CHECK(message->sender == getpid());
    CHECK(message->fields.at("READY") == "1");
    CHECK(message->fields.at("STATUS") == "up");
    CHECK_FALSE(socket.receive().has_value());
}

TEST_CASE("a stale socket is replaced, any other file is refused, and the socket goes with its owner") {
    TempDir dir;
    const std::string path = dir.path + "/db";
    { NotifySocket first(dir.fd, dir.path, "db", std::nullopt); }
    CHECK_FALSE(std::filesystem::exists(path));
    {
        // A socket file left by a tend that was killed.
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path.c_str());
        REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        close(fd);
    }
    NotifySocket again(dir.fd, dir.path, "db", std::nullopt);
    send_to(path, "READY=1");
    CHECK(again.receive().has_value());

    const std::string file = dir.path + "/plain";
    std::ofstream(file) << "data";
    CHECK_THROWS_WITH_AS(NotifySocket(dir.fd, dir.path, "plain", std::nullopt),
                         (file + " exists and is not a socket: File exists").c_str(), std::system_error);
    CHECK(std::filesystem::exists(file));
    CHECK_THROWS_AS(NotifySocket(dir.fd, dir.path, std::string(200, 'x'), std::nullopt), std::system_error);
}

TEST_CASE("the notify sockets of one directory share one descriptor of it while any is open") {
    char tmpl[] = "/tmp/tend-notify-XXXXXX";
    const std::string parent = mkdtemp(tmpl);
    const std::string path = parent + "/sockets";
    const auto before = tend::testing::open_descriptors();
    {
        auto web = std::make_unique<NotifySocket>(shared_notify_dir(path), path, "web", std::nullopt);
        auto db = std::make_unique<NotifySocket>(shared_notify_dir(path), path, "db", std::nullopt);
        auto shared = shared_notify_dir(path);
        CHECK(shared.use_count() == 3);  // this one and the two sockets'
        CHECK(tend::testing::open_descriptors() - before == 3);  // the directory once, and a socket each
        send_to(path + "/db", "READY=1");
        CHECK(db->receive().has_value());
        web.reset();
        CHECK_FALSE(std::filesystem::exists(path + "/web"));  // unlinked through the shared descriptor
        CHECK(std::filesystem::exists(path + "/db"));
    }
    CHECK(tend::testing::open_descriptors() == before);  // closed with the last socket

    // A directory removed under a held descriptor is made and opened afresh.
    auto held = shared_notify_dir(path);
    std::filesystem::remove_all(path);
    auto fresh = shared_notify_dir(path);
    CHECK(fresh.get() != held.get());
    NotifySocket api(fresh, path, "api", std::nullopt);
    CHECK(std::filesystem::exists(path + "/api"));
    std::filesystem::remove_all(parent);
}

TEST_CASE("the notify directory is made when missing, and refused when a link, not a directory or writable by others") {
    TempDir dir;
    const std::string made = dir.path + "/made";
    CHECK(open_notify_dir(made));
    CHECK(std::filesystem::is_directory(made));

    const std::string link = dir.path + "/link";
    std::filesystem::create_directory_symlink(made, link);
    CHECK_THROWS_WITH_AS(open_notify_dir(link),
                         ("the notify socket directory " + link +
                          " is a symbolic link; tend does not follow it (remove it and tend makes the directory "
                          "itself): Too many levels of symbolic links")
                             .c_str(),
                         std::system_error);

    const std::string file = dir.path + "/file";
    std::ofstream(file) << "data";
    CHECK_THROWS_WITH_AS(open_notify_dir(file),
                         ("the notify socket directory " + file + " exists and is not a directory: Not a directory")
                             .c_str(),
                         std::system_error);

    const std::string open_to_all = dir.path + "/open";
    std::filesystem::create_directory(open_to_all);
    chmod(open_to_all.c_str(), 01777);
    CHECK_THROWS_WITH_AS(open_notify_dir(open_to_all),
                         ("the notify socket directory " + open_to_all +
                          " is writable by others (mode 1777); tend refuses it (make it 0755, or remove it and tend "
                          "makes it): Operation not permitted")
                             .c_str(),
                         std::system_error);
}

TEST_CASE("a notify directory owned by another uid is refused") {
    if (geteuid() != 0) return;  // only root can make one
    TempDir dir;
    const std::string theirs = dir.path + "/theirs";
    std::filesystem::create_directory(theirs);
    REQUIRE(chown(theirs.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(open_notify_dir(theirs),
                         ("the notify socket directory " + theirs +
                          " is owned by uid 65534, not by tend (uid 0); tend refuses it: Operation not permitted")
                             .c_str(),
                         std::system_error);
}

}  // namespace unit_notify_socket_test
