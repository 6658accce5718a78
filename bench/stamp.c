/* Appends "start END" CLOCK_MONOTONIC nanoseconds to the file in argv[1] and
 * exits at once: a service whose restart gap can be read off its own stamps. */
#include <stdio.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    long long start = now_ns();
    FILE *f = fopen(argv[1], "a");
    if (!f) return 1;
    fprintf(f, "%lld %lld\n", start, now_ns());
    fclose(f);
    return 0;
}
