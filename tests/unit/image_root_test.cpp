#include <doctest/doctest.h>

#include "tend/util/image_root.hpp"

namespace unit_image_root_test {

using namespace tend;

TEST_CASE("an image's absolute paths are under its root; relative ones stay on this machine") {
    const ImageRoot root("/srv/rootfs/");
    CHECK(root.host_path("/etc/passwd") == "/srv/rootfs/etc/passwd");
    CHECK(root.host_path("conf.d/a.yaml") == "conf.d/a.yaml");
    CHECK(root.image_path("/srv/rootfs/etc/supervisor") == "/etc/supervisor");
    CHECK(root.image_path("/srv/rootfs") == "/");
    CHECK(root.image_path("/srv/rootfs2/etc") == "/srv/rootfs2/etc");  // a sibling that only shares the prefix
    CHECK(root.image_path("/home/me/supervisord.conf") == "/home/me/supervisord.conf");
}

TEST_CASE("no root, or /, is this machine's") {
    for (const ImageRoot& root : {ImageRoot(), ImageRoot("/"), ImageRoot("")}) {
        CHECK(root.is_host());
        CHECK(root.host_path("/etc/passwd") == "/etc/passwd");
        CHECK(root.image_path("/etc") == "/etc");
    }
}

}  // namespace unit_image_root_test
