/* validate_bench.c: the benchmarks of task 7.
 *
 *   build/tasks/yours/task07/bench -bench=. -cpuprofile=tasks/task07/out/cpu.pb.gz
 *
 * BenchmarkValidateParallel: each op starts 4 threads that each validate
 *   the batch of 64 strings, all starting at the same moment. The
 *   program's first op is the first use of the validator, from several
 *   threads at once, and the result line reports how many times the
 *   pattern was compiled during it ("compiles/first-use"): 256, one per
 *   call, for a validator that compiles on every call; 2 or more for one
 *   that caches the pattern without making the threads wait for each
 *   other; 1 for one that compiles once whatever the threads do; 0 when
 *   the pattern was ready before main.
 * BenchmarkValidateEmails: each op validates a batch of 64 strings, a mix
 *   of good and bad addresses, and checks the count.
 *
 * Counting compiles: pcre2.h turns pcre2_compile into pcre2_compile_8, the
 * name the library exports. This file defines a function of that name, so
 * the program's calls land here first (a definition in the program wins
 * over a shared library's); it counts the call and passes it on to the
 * library's own function, found with dlsym(RTLD_NEXT). During the first
 * use it also holds the first compile back until all 4 threads have
 * started validating, then 20 ms more, so that a validator that is not
 * safe to initialize from several threads shows it every time instead of
 * once in a while. A profile therefore shows pcre2_compile_8 twice on a
 * stack: this counter, then the library's function.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <dlfcn.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "validate.h"

#define BATCH 64
#define THREADS 4

static const char *const samples[] = {
    "ada@example.com",          "grace.hopper@navy.mil",   "not an address",
    "linus@kernel.org",         "missing-at.example.com",  "two@@example.com",
    "ken+unix@bell-labs.com",   "dmr@bell-labs.com",       "trailing.dot@example.",
    "x@y.io",                   "@no-local-part.org",      "space in@example.com",
    "first.last@sub.domain.uk", "short@tld.c",             "who@unknown.tld",
    "ok-dash@good-domain.net",
};
#define NSAMPLES (sizeof samples / sizeof samples[0])
#define WANT_VALID_PER_16 8 /* the valid addresses among the 16 above */

/* ---- counting compiles ---- */

typedef pcre2_code *(*compile_fn)(PCRE2_SPTR, PCRE2_SIZE, uint32_t, int *, PCRE2_SIZE *,
                                  pcre2_compile_context *);

static compile_fn real_compile;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static atomic_bool first_use;   /* the first use is under way */
static atomic_int entered;      /* threads that have called valid_email in it */
static atomic_int compiles;     /* compiles counted during it */
static int first_use_compiles = -1;

static void find_real_compile(void) {
    real_compile = (compile_fn)dlsym(RTLD_NEXT, "pcre2_compile_8");
    if (!real_compile) {
        fprintf(stderr, "validate_bench: pcre2_compile_8 not found: %s\n", dlerror());
        exit(1);
    }
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

pcre2_code *pcre2_compile_8(PCRE2_SPTR pattern, PCRE2_SIZE length, uint32_t options,
                            int *errcode, PCRE2_SIZE *erroffset, pcre2_compile_context *ctx) {
    pthread_once(&real_once, find_real_compile);
    if (atomic_load(&first_use) && atomic_fetch_add(&compiles, 1) == 0) {
        for (int i = 0; i < 1000 && atomic_load(&entered) < THREADS; i++) sleep_ms(1);
        sleep_ms(20);
    }
    return real_compile(pattern, length, options, errcode, erroffset, ctx);
}

/* ---- the benchmarks ---- */

static int validate_batch(void) {
    int valid = 0;
    for (int j = 0; j < BATCH; j++) valid += valid_email(samples[j % NSAMPLES]);
    return valid;
}

static void check_count(int valid, int batches) {
    int want = batches * BATCH / (int)NSAMPLES * WANT_VALID_PER_16;
    if (valid != want) {
        fprintf(stderr, "valid_email: %d of %d valid, want %d\n", valid, batches * BATCH, want);
        exit(1);
    }
}

static void *validate_thread(void *arg) {
    (void)arg;
    atomic_fetch_add(&entered, 1);
    return (void *)(intptr_t)validate_batch();
}

BENCHMARK(ValidateParallel) {
    for (int64_t i = 0; i < b->n; i++) {
        bool measuring = first_use_compiles < 0;
        if (measuring) atomic_store(&first_use, true);
        pthread_t t[THREADS];
        for (int j = 0; j < THREADS; j++)
            if (pthread_create(&t[j], NULL, validate_thread, NULL) != 0) {
                fprintf(stderr, "validate_bench: cannot start a thread\n");
                exit(1);
            }
        int valid = 0;
        for (int j = 0; j < THREADS; j++) {
            void *n;
            pthread_join(t[j], &n);
            valid += (int)(intptr_t)n;
        }
        if (measuring) {
            atomic_store(&first_use, false);
            first_use_compiles = atomic_load(&compiles);
        }
        check_count(valid, THREADS);
    }
    bench_report_metric(b, first_use_compiles, "compiles/first-use");
}

BENCHMARK(ValidateEmails) {
    for (int64_t i = 0; i < b->n; i++) {
        int valid = validate_batch();
        check_count(valid, 1);
        bench_sink_i64(valid);
    }
}
