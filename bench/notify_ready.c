/* A service that says READY=1 on $NOTIFY_SOCKET after argv[1] milliseconds
 * (default 10), then sleeps until it is signalled: what a PostgreSQL or redis
 * does at start-up, minus the work. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 10;
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&delay, NULL);
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path) return 1;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&address, sizeof address) != 7) return 1;
    close(fd);
    for (;;) pause();
}
