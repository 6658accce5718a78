// tendctl: the client of tend's control socket.
#include "tend/cli/tendctl_app.hpp"

int main(int argc, char** argv) { return tend::run_tendctl(argc, argv); }
