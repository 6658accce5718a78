/* The floor for a restart gap: spawn the stamp program, wait for it, spawn it
 * again at once, N times. */
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    char *args[] = {argv[2], argv[3], NULL};
    for (int i = 0; i < n; ++i) {
        pid_t pid;
        if (posix_spawn(&pid, argv[2], NULL, NULL, args, environ) != 0) return 1;
        waitpid(pid, NULL, 0);
    }
    return 0;
}
