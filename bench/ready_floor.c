#define _GNU_SOURCE
/* The floor for a dependency chain of services that say when they are ready:
 * LEVELS levels of WIDTH services (argv[1], argv[2]); each level is spawned
 * (posix_spawn of argv[3], with $NOTIFY_SOCKET) once every service of the level
 * before has sent READY=1 on one datagram socket. Prints the wall-clock time
 * (seconds, float) when the last READY=1 arrives, then kills and reaps them. */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int levels = atoi(argv[1]), width = atoi(argv[2]);
    char path[] = "/tmp/ready-floor-XXXXXX";
    if (!mkdtemp(path)) return 1;
    char sock[128];
    snprintf(sock, sizeof sock, "%s/notify", path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, sock, sizeof address.sun_path - 1);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) return 1;
    char env_entry[160];
    snprintf(env_entry, sizeof env_entry, "NOTIFY_SOCKET=%s", sock);
    char *envp[] = {env_entry, "PATH=/usr/bin:/bin", NULL};
    char *args[] = {argv[3], "10", NULL};
    pid_t *pids = calloc((size_t)(levels * width), sizeof *pids);
    int spawned = 0;
    for (int level = 0; level < levels; ++level) {
        for (int i = 0; i < width; ++i) {
            posix_spawnattr_t attr;
            posix_spawnattr_init(&attr);
            posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
            if (posix_spawn(&pids[spawned++], argv[3], NULL, &attr, args, envp) != 0) return 1;
            posix_spawnattr_destroy(&attr);
        }
        char buffer[64];
        for (int i = 0; i < width; ++i)
            if (recv(fd, buffer, sizeof buffer, 0) < 0) return 1;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("%ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
    fflush(stdout);
    for (int i = 0; i < spawned; ++i) kill(pids[i], SIGKILL);
    for (int i = 0; i < spawned; ++i) waitpid(pids[i], NULL, 0);
    unlink(sock);
    rmdir(path);
    return 0;
}
