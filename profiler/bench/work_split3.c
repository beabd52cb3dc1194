/* work_split3.c: the accuracy workload: CPU split 50/30/20 by construction.
 *
 *   work_split3 [-calibrate] ROUNDS
 *
 * Three noinline functions, split_a, split_b and split_c, run the same
 * inlined loop body (work_body.h) for 5k, 3k and 2k units in each round, so
 * their CPU times are 50%, 30% and 20% of the loop. Rounds differ in k
 * (1..16) and in the order of the three calls, both from a fixed
 * pseudo-random sequence: a profiling timer can never lock onto the same
 * point of a round, while the totals stay exactly 5:3:2.
 *
 * With -calibrate, each call is timed with CLOCK_THREAD_CPUTIME_ID and the
 * measured shares are printed ("calib_a=0.5001 ..."): the check that equal
 * units really cost equal CPU time in the three functions. Without it the
 * loop has no system call at all. Always prints "loop_cpu_ns=N".
 *
 * Invariants: deterministic; the three functions differ only in name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "work_body.h"

static int64_t clock_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((noinline)) uint64_t split_a(uint64_t x, uint64_t units) {
    return burn_units(x, units);
}

__attribute__((noinline)) uint64_t split_b(uint64_t x, uint64_t units) {
    return burn_units(x, units);
}

__attribute__((noinline)) uint64_t split_c(uint64_t x, uint64_t units) {
    return burn_units(x, units);
}

typedef uint64_t (*split_fn)(uint64_t, uint64_t);

int main(int argc, char **argv) {
    int calibrate = argc == 3 && strcmp(argv[1], "-calibrate") == 0;
    if (argc != 2 && !calibrate) {
        fprintf(stderr, "usage: work_split3 [-calibrate] ROUNDS\n");
        return 2;
    }
    const char *arg = argv[argc - 1];
    char *end;
    errno = 0;
    unsigned long long rounds = strtoull(arg, &end, 10);
    if (errno || *end || arg[0] == '-' || arg[0] == '\0') {
        fprintf(stderr, "work_split3: ROUNDS must be a non-negative integer, not %s\n", arg);
        return 2;
    }
    static const int order[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const split_fn fns[3] = {split_a, split_b, split_c};
    static const uint64_t weight[3] = {5, 3, 2};
    int64_t spent[3] = {0, 0, 0};
    uint64_t x = 0x9e3779b97f4a7c15ULL, lcg = 12345;
    int64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (unsigned long long r = 0; r < rounds; r++) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t k = 1 + ((lcg >> 33) & 15);
        const int *ord = order[(lcg >> 40) % 6];
        for (int i = 0; i < 3; i++) {
            int f = ord[i];
            if (calibrate) {
                int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
                x = fns[f](x, weight[f] * k);
                spent[f] += clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
            } else {
                x = fns[f](x, weight[f] * k);
            }
        }
    }
    int64_t c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    bench_keep(x);
    printf("loop_cpu_ns=%lld", (long long)(c1 - c0));
    if (calibrate) {
        double tot = (double)(spent[0] + spent[1] + spent[2]);
        if (tot <= 0) tot = 1;
        printf(" calib_a=%.5f calib_b=%.5f calib_c=%.5f", spent[0] / tot, spent[1] / tot,
               spent[2] / tot);
    }
    printf(" result=%llx\n", (unsigned long long)x);
    return 0;
}
