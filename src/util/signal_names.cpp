#include "tend/util/signal_names.hpp"

#include <csignal>
#include <charconv>
#include <string_view>
#include <tuple>
#include <cctype>

namespace tend {
namespace {

struct SignalName {
    int number;
    const char* name;
};

constexpr SignalName kSignals[] = {
    {SIGHUP, "HUP"},     {SIGINT, "INT"},     {SIGQUIT, "QUIT"},   {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"},   {SIGABRT, "ABRT"},   {SIGBUS, "BUS"},     {SIGFPE, "FPE"},
    {SIGKILL, "KILL"},   {SIGUSR1, "USR1"},   {SIGSEGV, "SEGV"},   {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"},   {SIGALRM, "ALRM"},   {SIGTERM, "TERM"},   {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"},   {SIGCONT, "CONT"},   {SIGSTOP, "STOP"},   {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"},   {SIGTTOU, "TTOU"},   {SIGURG, "URG"},     {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"},   {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},       {SIGPWR, "PWR"},     {SIGSYS, "SYS"},
};

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<int> parse_signal(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (std::isdigit(static_cast<unsigned char>(text.front()))) {
        int number = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
        // 32 and 33 (and whatever lies below SIGRTMIN) belong to the C library's
        // threads; no name prints them back, and no service should get them.
        if (number < 1 || number >= NSIG || (number > SIGSYS && number < SIGRTMIN)) return std::nullopt;
        return number;
    }
    std::string name = upper(text);
    if (name.starts_with("SIG")) name.erase(0, 3);
    for (const auto& s : kSignals)
        if (name == s.name) return s.number;
    // Real-time signals as Docker and kill(1) write them: RTMIN, RTMIN+3, RTMAX-1.
    for (auto [prefix, base, sign] : {std::tuple{"RTMIN", SIGRTMIN, 1}, std::tuple{"RTMAX", SIGRTMAX, -1}}) {
        std::string_view rest(name);
        if (!rest.starts_with(prefix)) continue;
        rest.remove_prefix(std::string_view(prefix).size());
        int offset = 0;
        if (!rest.empty()) {
            if (rest.front() != (sign > 0 ? '+' : '-')) return std::nullopt;
            rest.remove_prefix(1);
            auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
            if (ec != std::errc() || end != rest.data() + rest.size() || rest.empty()) return std::nullopt;
        }
        int sig = base + sign * offset;
        if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
        return sig;
    }
    return std::nullopt;
}

std::string signal_name(int sig) {
    for (const auto& s : kSignals)
        if (s.number == sig) return std::string("SIG") + s.name;
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
    return "signal " + std::to_string(sig);
}

}  // namespace tend
