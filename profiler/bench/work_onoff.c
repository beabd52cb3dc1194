/* work_onoff.c: the low-noise overhead workload: profiling switched on and
 * off inside one process, in pairs of equal chunks of work.
 *
 *   work_onoff LIB cpuprof|gperftools process|thread HZ CHUNK_UNITS PAIRS PROFILE
 *
 * Loads the profiler with dlopen (no LD_PRELOAD, so nothing starts by
 * itself), then runs PAIRS pairs of chunks of burn work: one chunk with no
 * profiler, one between the profiler's start and stop calls (cpuprof_start_opts /
 * cpuprof_stop, or gperftools' ProfilerStart / ProfilerStop, with
 * CPUPROFILE_FREQUENCY=HZ). Pairs alternate which chunk goes first (ABBA),
 * so a slow drift of the machine's speed cancels. Only the chunk itself
 * is timed (CLOCK_PROCESS_CPUTIME_ID: user and system, so the kernel's
 * signal delivery counts); starting, stopping and writing the profile are
 * not. One line per pair on stdout:
 *
 *   pair=I off_ns=N on_ns=N samples=N
 *
 * Invariants: both chunks of a pair are the same work; a chunk's timing
 * includes every signal delivered during it and nothing else of the
 * profiler. Adjacent chunks see nearly the same machine, which is what
 * makes the paired difference far less noisy than separate runs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "work_body.h"

/* The slices of the two profilers' APIs used here. */
typedef struct cpuprof_options_abi {
    int hz;
    int mode;
    size_t max_stacks;
    int max_depth;
} cpuprof_options_abi;
typedef struct cpuprof_stats_abi {
    uint64_t samples, dropped, stacks;
    double requested_hz, achieved_hz;
} cpuprof_stats_abi;
typedef struct gperf_state_abi {
    int enabled;
    time_t start_time;
    char profile_name[1024];
    int samples_gathered;
} gperf_state_abi;

static int (*ours_start)(const char *, const cpuprof_options_abi *);
static int (*ours_stop)(void);
static void (*ours_stats)(cpuprof_stats_abi *);
static int (*g_start)(const char *);
static void (*g_stop)(void);
static void (*g_state)(gperf_state_abi *);

static int64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((noinline)) static uint64_t chunk_work(uint64_t x, uint64_t units) {
    return burn_units(x, units);
}

static long long parse(const char *s, const char *what) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < 1) {
        fprintf(stderr, "work_onoff: %s must be a positive integer, not %s\n", what, s);
        exit(2);
    }
    return v;
}

static void *sym(void *h, const char *name) {
    void *p = dlsym(h, name);
    if (!p) {
        fprintf(stderr, "work_onoff: %s: %s\n", name, dlerror());
        exit(1);
    }
    return p;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: work_onoff LIB cpuprof|gperftools process|thread HZ "
                        "CHUNK_UNITS PAIRS PROFILE\n");
        return 2;
    }
    int gperf = strcmp(argv[2], "gperftools") == 0;
    if (!gperf && strcmp(argv[2], "cpuprof") != 0) {
        fprintf(stderr, "work_onoff: profiler must be cpuprof or gperftools, not %s\n", argv[2]);
        return 2;
    }
    int thread = strcmp(argv[3], "thread") == 0;
    if (!thread && strcmp(argv[3], "process") != 0) {
        fprintf(stderr, "work_onoff: timer must be process or thread, not %s\n", argv[3]);
        return 2;
    }
    long long hz = parse(argv[4], "HZ"), units = parse(argv[5], "CHUNK_UNITS");
    long long pairs = parse(argv[6], "PAIRS");
    const char *path = argv[7];
    /* gperftools reads its frequency when it loads. */
    setenv("CPUPROFILE_FREQUENCY", argv[4], 1);
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "work_onoff: %s\n", dlerror());
        return 1;
    }
    if (gperf) {
        *(void **)&g_start = sym(h, "ProfilerStart");
        *(void **)&g_stop = sym(h, "ProfilerStop");
        *(void **)&g_state = sym(h, "ProfilerGetCurrentState");
    } else {
        *(void **)&ours_start = sym(h, "cpuprof_start_opts");
        *(void **)&ours_stop = sym(h, "cpuprof_stop");
        *(void **)&ours_stats = sym(h, "cpuprof_get_stats");
    }
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    x = chunk_work(x, (uint64_t)units); /* warm up: caches, frequency */
    for (long long i = 0; i < pairs; i++) {
        int64_t off = 0, on = 0;
        long long samples = 0;
        for (int half = 0; half < 2; half++) {
            int profiled = (half == 0) == (i % 2 == 1); /* ABBA */
            if (profiled) {
                int rc;
                if (gperf) {
                    rc = g_start(path) ? 0 : -1;
                } else {
                    cpuprof_options_abi o = {(int)hz, thread, 0, 0};
                    rc = ours_start(path, &o);
                }
                if (rc != 0) {
                    fprintf(stderr, "work_onoff: cannot start the profiler\n");
                    return 1;
                }
            }
            int64_t t0 = cpu_ns();
            x = chunk_work(x, (uint64_t)units);
            int64_t t1 = cpu_ns();
            if (profiled) {
                on = t1 - t0;
                if (gperf) {
                    gperf_state_abi st;
                    memset(&st, 0, sizeof st);
                    g_state(&st);
                    samples = st.samples_gathered;
                    g_stop();
                } else {
                    ours_stop();
                    cpuprof_stats_abi st;
                    memset(&st, 0, sizeof st);
                    ours_stats(&st);
                    samples = (long long)(st.samples + st.dropped);
                }
            } else {
                off = t1 - t0;
            }
        }
        printf("pair=%lld off_ns=%lld on_ns=%lld samples=%lld\n", i, (long long)off,
               (long long)on, samples);
    }
    bench_keep(x);
    return 0;
}
