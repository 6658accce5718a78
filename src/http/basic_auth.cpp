#include "tend/http/basic_auth.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include "tend/util/system_error.hpp"
#include "tend/util/unique_fd.hpp"

namespace tend {
namespace {

constexpr std::size_t kMaxPasswordFile = 4096;

// Whether a and b are equal, in a time that depends on their lengths only.
bool same_bytes(std::string_view a, std::string_view b) {
    if (b.empty()) return a.empty();
    unsigned char differ = a.size() != b.size();
    for (std::size_t i = 0; i < a.size(); ++i)
        differ |= static_cast<unsigned char>(a[i] ^ b[i % b.size()]);
    return differ == 0;
}

}  // namespace

HttpCredentials read_credentials(const HttpSettings& settings) {
    const std::string& path = settings.password_file;
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) throw errno_error("settings.http.password_file: failed to open " + path);
    std::string text(kMaxPasswordFile + 1, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw errno_error("settings.http.password_file: failed to read " + path);
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > kMaxPasswordFile)
        throw std::runtime_error("settings.http.password_file: " + path + " is over 4 KiB");
    text.resize(got);
    if (text.ends_with('\n')) text.pop_back();
    if (text.ends_with('\r')) text.pop_back();
    if (text.empty()) throw std::runtime_error("settings.http.password_file: " + path + " holds no password");
    return {settings.user, text};
}

bool credentials_match(std::string_view user, std::string_view password, const HttpCredentials& expected) {
    // Both compared always: which of the two was wrong takes no different time.
    bool user_ok = same_bytes(user, expected.user);
    bool password_ok = same_bytes(password, expected.password);
    return user_ok & password_ok;
}

}  // namespace tend
