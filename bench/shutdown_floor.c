/* The floor for stopping N services: spawn N term_sleepers, wait until each has
 * set its handler (the file has N lines), SIGTERM them all, waitpid them all;
 * print the seconds from the first kill to the last reap. */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int lines(const char *path) {
    FILE *f = fopen(path, "r");
    int n = 0, c;
    if (!f) return 0;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    char *args[] = {argv[2], argv[3], NULL};
    for (int i = 0; i < n; ++i)
        if (posix_spawn(&pids[i], argv[2], NULL, NULL, args, environ) != 0) return 1;
    while (lines(argv[3]) < n) usleep(1000);
    double begin = now();
    for (int i = 0; i < n; ++i) kill(pids[i], SIGTERM);
    for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
    printf("%f\n", now() - begin);
    return 0;
}
