#define _GNU_SOURCE
/* The floor for starting N services: a plain loop that posix_spawns N copies of
 * `sleep 1000`, printing the wall-clock time (seconds, float) when the last is
 * spawned; then it kills and reaps them all. */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    char *args[] = {"sleep", "1000", NULL};
    for (int i = 0; i < n; ++i) {
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
        if (posix_spawnp(&pids[i], "sleep", NULL, &attr, args, environ) != 0) return 1;
        posix_spawnattr_destroy(&attr);
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("%ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
    fflush(stdout);
    for (int i = 0; i < n; ++i) kill(pids[i], SIGKILL);
    for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
    return 0;
}
