/* work_threads.c: the multi-thread workload: two busy threads.
 *
 *   work_threads UNITS
 *
 * Starts two threads that each run UNITS units of burn_units (work_body.h)
 * in thread_work, while main only waits for them. On two or more cores both
 * run at once, so the process consumes CPU at twice the wall-clock rate:
 * the case where one process-wide profiling timer under-samples.
 *
 * Invariants: deterministic work; main does no work of its own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work_body.h"

static uint64_t g_units;

__attribute__((noinline)) static uint64_t thread_work(uint64_t seed) {
    return burn_units(seed, g_units);
}

static void *thread_main(void *arg) {
    uint64_t *seed = arg;
    *seed = thread_work(*seed);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: work_threads UNITS\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long units = strtoull(argv[1], &end, 10);
    if (errno || *end || argv[1][0] == '-' || argv[1][0] == '\0') {
        fprintf(stderr, "work_threads: UNITS must be a non-negative integer, not %s\n", argv[1]);
        return 2;
    }
    g_units = units;
    pthread_t t[2];
    uint64_t seeds[2] = {0x9e3779b97f4a7c15ULL, 0x2545f4914f6cdd1dULL};
    for (int i = 0; i < 2; i++) {
        int e = pthread_create(&t[i], NULL, thread_main, &seeds[i]);
        if (e) {
            fprintf(stderr, "work_threads: pthread_create: %s\n", strerror(e));
            return 1;
        }
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    bench_keep(seeds[0] ^ seeds[1]);
    printf("result=%llx\n", (unsigned long long)(seeds[0] ^ seeds[1]));
    return 0;
}
