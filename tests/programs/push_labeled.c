/* push_labeled.c: a program that labels its work, for the push agent's
 * e2e test. It knows nothing about pushing: linked with libcpuprof.so, it
 * is pushed by the library's constructor when CPUPROF_PUSH_URL is set.
 *
 *   push_labeled SECONDS
 *
 * For SECONDS of wall time it alternates 20 ms of CPU in work_a under
 * endpoint=/a and 20 ms in work_b under endpoint=/b, then exits through
 * exit(), so the agent's exit handler pushes the last partial period.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cpuprof.h"

static volatile uint64_t sink;

static double now(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void burn(double cpu_s, uint64_t salt) {
    double until = now(CLOCK_THREAD_CPUTIME_ID) + cpu_s;
    uint64_t x = sink ^ salt;
    while (now(CLOCK_THREAD_CPUTIME_ID) < until)
        for (int i = 0; i < 10000; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    sink = x;
}

__attribute__((noinline)) static void work_a(void *arg) {
    (void)arg;
    burn(0.02, 1);
}

__attribute__((noinline)) static void work_b(void *arg) {
    (void)arg;
    burn(0.02, 2);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    double end = now(CLOCK_MONOTONIC) + seconds;
    cpuprof_label a = {"endpoint", "/a"}, b = {"endpoint", "/b"};
    long rounds = 0;
    while (now(CLOCK_MONOTONIC) < end) {
        cpuprof_do(&a, 1, work_a, NULL);
        cpuprof_do(&b, 1, work_b, NULL);
        rounds++;
    }
    printf("rounds=%ld\n", rounds);
    return 0;
}
