// tendctl: the client of tend's control socket.
#include "tend/cli/tendctl_app.hpp"
#include "tend/util/terminate_message.hpp"

int main(int argc, char** argv) {
    tend::install_terminate_message();
    return tend::run_tendctl(argc, argv);
}
