/* A service that takes 0.5 s to stop: on SIGTERM it sleeps 0.5 s, then exits 0.
 * With an argument it appends a line to that file once its handler is set. */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
    struct sigaction sa = {0};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    if (argc > 1) {
        FILE *f = fopen(argv[1], "a");
        if (f) { fputs("x\n", f); fclose(f); }
    }
    while (!stop) pause();
    struct timespec half = {0, 500000000L};
    nanosleep(&half, NULL);
    return 0;
}
