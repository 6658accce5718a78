#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tend/control/socket_listener.hpp"

namespace unit_socket_listener_test {

using namespace tend;

TEST_CASE("the peer's uid, pid and supplementary groups come from the kernel") {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    Peer peer = peer_of(fds[0]);
    CHECK(peer.uid == getuid());
    CHECK(peer.gid == getgid());
    CHECK(peer.pid == getpid());
    std::vector<gid_t> mine(static_cast<std::size_t>(getgroups(0, nullptr)));
    getgroups(static_cast<int>(mine.size()), mine.data());
    std::sort(mine.begin(), mine.end());
    std::sort(peer.groups.begin(), peer.groups.end());
    CHECK(peer.groups == mine);
    close(fds[0]);
    close(fds[1]);
}

TEST_CASE("a control socket path that names a file which is not a socket is refused, and the file kept") {
    auto dir = std::filesystem::temp_directory_path() / ("tend-listener-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "tend.sock").string();
    std::ofstream(file) << "precious";
    CHECK_THROWS_WITH_AS(bind_listener(file, std::nullopt),
                         ("control socket " + file + " exists and is not a socket; refusing to replace it").c_str(),
                         std::runtime_error);
    std::ifstream in(file);
    std::string kept;
    in >> kept;
    CHECK(kept == "precious");
    // A stale socket (nobody listening) is replaced.
    const std::string path = (dir / "stale.sock").string();
    { UniqueFd first = bind_listener(path, std::nullopt); }
    CHECK(std::filesystem::is_socket(path));
    UniqueFd second = bind_listener(path, std::nullopt);
    CHECK(second.valid());
    CHECK_THROWS_AS(bind_listener(path, std::nullopt), std::runtime_error);  // a live one
    std::filesystem::remove_all(dir);
}

}  // namespace unit_socket_listener_test
