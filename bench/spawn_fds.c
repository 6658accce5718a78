#define _GNU_SOURCE
/* What the descriptors a spawner holds cost each spawn: posix_spawns N copies
 * of `sleep 1000` while holding EXTRA close-on-exec pipe ends (each spawn copies
 * the descriptor table, and the child closes them at exec), and prints the
 * seconds the N spawns took; then kills and reaps them. Run it with EXTRA 0 and
 * with tend's count for N services (about 6 per service) in turn:
 *
 *     cc -O2 -o /tmp/spawn_fds bench/spawn_fds.c
 *     for i in 1 2 3; do /tmp/spawn_fds 1000 0; /tmp/spawn_fds 1000 6000; done
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: spawn_fds N EXTRA\n");
        return 2;
    }
    int n = atoi(argv[1]), extra = atoi(argv[2]);
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {  /* the soft limit up to the hard one */
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0) perror("setrlimit");
    }
    for (int i = 0; i < extra / 2; ++i) {
        int ends[2];
        if (pipe2(ends, O_CLOEXEC) < 0) {
            perror("pipe2");
            return 1;
        }
    }
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    char *args[] = {"sleep", "1000", NULL};
    struct timespec begin, end;
    clock_gettime(CLOCK_MONOTONIC, &begin);
    for (int i = 0; i < n; ++i)
        if (posix_spawn(&pids[i], "/bin/sleep", NULL, NULL, args, environ) != 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%d spawns holding %d extra descriptors: %.3f s\n", n, extra,
           (double)(end.tv_sec - begin.tv_sec) + (double)(end.tv_nsec - begin.tv_nsec) / 1e9);
    for (int i = 0; i < n; ++i) kill(pids[i], SIGKILL);
    for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
    return 0;
}
