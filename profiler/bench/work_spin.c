/* work_spin.c: the overhead workload: one thread of pure CPU work.
 *
 *   work_spin UNITS
 *
 * Runs UNITS units of burn_units (work_body.h) under a short call chain
 * (main -> spin_run -> spin_outer -> spin_inner), so a profiler unwinds a
 * few frames per sample, as it would in a real program. Prints one line:
 *
 *   loop_cpu_ns=N loop_wall_ns=N result=HEX
 *
 * the CPU and wall time of the loop alone (not of loading and exiting), so
 * the driver can tell a profiler's per-sample cost from its fixed cost.
 * The loop's CPU is the thread's clock: with an ITIMER_PROF timer armed,
 * Linux reads the process clock from its process-wide timer accounting,
 * which lags by up to a tick (exp_onoff.c).
 * UNITS=0 runs no work: the process's whole CPU time is then start + exit.
 *
 * Invariants: deterministic (the same UNITS is the same work every run);
 * no I/O, no allocation and no system call inside the loop.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "work_body.h"

static int64_t clock_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((noinline)) static uint64_t spin_inner(uint64_t x, uint64_t units) {
    return burn_units(x, units);
}

__attribute__((noinline)) static uint64_t spin_outer(uint64_t x, uint64_t units) {
    x = spin_inner(x, units);
    __asm__ volatile("" : "+r"(x)); /* not a tail call: keep the frame */
    return x;
}

/* Chunks of 64 units, so the stack has the same shape at every sample. */
__attribute__((noinline)) static uint64_t spin_run(uint64_t units) {
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    while (units > 0) {
        uint64_t n = units < 64 ? units : 64;
        x = spin_outer(x, n);
        units -= n;
    }
    return x;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: work_spin UNITS\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long units = strtoull(argv[1], &end, 10);
    if (errno || *end || argv[1][0] == '-' || argv[1][0] == '\0') {
        fprintf(stderr, "work_spin: UNITS must be a non-negative integer, not %s\n", argv[1]);
        return 2;
    }
    int64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), w0 = clock_ns(CLOCK_MONOTONIC);
    uint64_t r = spin_run(units);
    int64_t c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID), w1 = clock_ns(CLOCK_MONOTONIC);
    bench_keep(r);
    printf("loop_cpu_ns=%lld loop_wall_ns=%lld result=%llx\n", (long long)(c1 - c0),
           (long long)(w1 - w0), (unsigned long long)r);
    return 0;
}
