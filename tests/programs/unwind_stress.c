/* unwind_stress.c: a program that uses libunwind itself, for the sampler's
 * deadlock test (tests/e2e/stress_unwind.sh).
 *
 *   unwind_stress SECONDS LIBRARY
 *
 * Four threads take their own backtrace, alternately with unw_backtrace and
 * with an unw_step loop, from call chains of depth 0..15 and after a little
 * CPU work, in a loop; a fifth
 * thread loops dlopen/dlclose of LIBRARY (once a millisecond), so
 * libunwind's caches are flushed and its lookups (dl_iterate_phdr) run again
 * and again, in normal code and in the profiler's SIGPROF handler alike. It knows nothing about the
 * profiler: the test attaches it with LD_PRELOAD and a timeout. Prints
 * "backtraces=N loads=M" and exits 0 after SECONDS of wall time.
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define WORKERS 4

static _Atomic int done;
static _Atomic unsigned long backtraces, loads;
static const char *library;
static volatile double sink;
static __thread unsigned depth_hint;

static __attribute__((noinline)) void take_backtrace(int depth, double x) {
    if (depth > 0) {
        take_backtrace(depth - 1, x * 1.5);
        sink += x; /* not a tail call: every level keeps its frame */
        return;
    }
    for (int i = 0; i < 20000; i++) x = x * 1.0000001 + 0.5 / (x + 1.0);
    sink += x;
    if (depth_hint++ & 1) {
        void *buf[64];
        if (unw_backtrace(buf, 64) > 0) atomic_fetch_add(&backtraces, 1);
        return;
    }
    /* The classic walk: every step goes through libunwind's register-state
     * cache (unw_backtrace mostly hits a cache of its own). */
    unw_context_t ctx;
    unw_cursor_t cur;
    if (unw_getcontext(&ctx) != 0 || unw_init_local(&cur, &ctx) != 0) return;
    int n = 0;
    while (n < 64 && unw_step(&cur) > 0) n++;
    if (n > 0) atomic_fetch_add(&backtraces, 1);
}

static void *worker(void *arg) {
    unsigned seed = (unsigned)(unsigned long)arg;
    while (!atomic_load(&done)) {
        seed = seed * 1103515245u + 12345u;
        take_backtrace((int)((seed >> 16) % 16), 1.0);
    }
    return NULL;
}

static void *loader(void *arg) {
    (void)arg;
    while (!atomic_load(&done)) {
        void *h = dlopen(library, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "unwind_stress: %s\n", dlerror());
            exit(1);
        }
        dlclose(h);
        atomic_fetch_add(&loads, 1);
        /* Mostly out of the loader: handlers must get to unwind. */
        struct timespec pause = {.tv_nsec = 1000000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) <= 0) {
        fprintf(stderr, "usage: unwind_stress SECONDS LIBRARY\n");
        return 2;
    }
    library = argv[2];
    pthread_t t[WORKERS + 1];
    for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    pthread_create(&t[WORKERS], NULL, loader, NULL);
    struct timespec ts = {.tv_sec = atoi(argv[1])};
    while (nanosleep(&ts, &ts) != 0) {} /* SIGPROF interrupts it */
    atomic_store(&done, 1);
    for (int i = 0; i <= WORKERS; i++) pthread_join(t[i], NULL);
    printf("backtraces=%lu loads=%lu\n", atomic_load(&backtraces), atomic_load(&loads));
    return 0;
}
