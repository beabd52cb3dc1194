/* bench.h: libbench, the C counterpart of `go test -bench`.
 *
 * A benchmark is a function that runs the measured work b->n times:
 *
 *     #include "bench.h"
 *     BENCHMARK(Sum) {
 *         for (int64_t i = 0; i < b->n; i++)
 *             bench_sink_i64(sum(data, N));
 *     }
 *
 * BENCHMARK registers the function from a constructor, so a benchmark
 * program is only its BENCHMARK functions linked with libbench.a, which
 * provides main():
 *
 *     ./prog -bench=. -benchtime=1s -count=10 -cpuprofile=cpu.pb.gz
 *
 * The harness picks b->n the way Go does (run once with n = 1, then predict
 * n from the last run's time per op until a run lasts -benchtime) and prints
 * Go's benchmark format, which `benchstat` and Go tools read. The benchmark
 * must not change b->n. docs/harness.md has the full reference.
 *
 * Invariants: registration happens before main (constructors); the runner
 * is single-threaded; a bench value lives for one run of one benchmark.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_MAX_METRICS 8   /* bench_report_metric units kept per run */
#define BENCH_UNIT_MAX 32     /* longest unit name, with its NUL */

typedef struct bench_metric {
    char unit[BENCH_UNIT_MAX];
    double value;
} bench_metric;

typedef struct bench {
    int64_t n;             /* iterations to run: for (i = 0; i < b->n; i++) */

    /* Harness state below: use the functions, not the fields. */
    int timer_on;          /* 1 while the clock counts */
    int64_t start_ns;      /* monotonic time the clock last started */
    int64_t duration_ns;   /* time counted so far in this run */
    int64_t bytes;         /* bytes per op (bench_set_bytes), 0 = none */
    int nmetrics;
    bench_metric metrics[BENCH_MAX_METRICS];
} bench;

typedef void (*bench_fn)(bench *b);

/* Adds a benchmark to the registry; name should start with "Benchmark".
 * Called from BENCHMARK's constructor; names are not copied. */
void bench_register(const char *name, bench_fn fn);

#define BENCHMARK(name)                                                   \
    static void bench_fn_##name(bench *b);                                \
    __attribute__((constructor)) static void bench_reg_##name(void) {     \
        bench_register("Benchmark" #name, bench_fn_##name);               \
    }                                                                     \
    static void bench_fn_##name(__attribute__((unused)) bench *b)

/* Sets the "pkg:" header line (default: the program's basename). Compile
 * with -DBENCH_PKG='"name"' to have bench.h call it from a constructor. */
void bench_set_pkg(const char *pkg);
#ifdef BENCH_PKG
__attribute__((constructor)) static void bench_pkg_ctor(void) {
    bench_set_pkg(BENCH_PKG);
}
#endif

/* Timer control, as testing.B's: reset zeroes the time counted so far
 * (and the reported metrics); stop and start exclude setup work. */
void bench_reset_timer(bench *b);
void bench_stop_timer(bench *b);
void bench_start_timer(bench *b);

/* Bytes processed per op: the result line gets "MB/s". */
void bench_set_bytes(bench *b, int64_t bytes);

/* Adds "value unit" to the result line (unit: no spaces, at most 31
 * characters; by convention per-op units end in "/op"). Reporting "ns/op"
 * replaces the measured time per op. Returns 0, or -1 if unit is bad or
 * the table is full. */
int bench_report_metric(bench *b, double value, const char *unit);

/* Sinks: make a value "used" so the optimizer cannot delete the work that
 * computed it. They cost nothing at run time: an empty asm statement that
 * claims to read the value (in a register) and all of memory. */
static inline void bench_sink_i64(int64_t x) {
    __asm__ volatile("" : : "r"(x) : "memory");
}
static inline void bench_sink_ptr(const void *p) {
    __asm__ volatile("" : : "r"(p) : "memory");
}
static inline void bench_sink_f64(double x) {
    __asm__ volatile("" : : "g"(x) : "memory");
}

/* ---- Runner API: what bench_main.c uses; tests and custom mains too. ---- */

typedef struct bench_options {
    const char *bench_re;    /* -bench: PCRE2 pattern, NULL = run nothing */
    const char *run_re;      /* -run: accepted and ignored */
    int64_t benchtime_ns;    /* -benchtime=1s (used when benchtime_n == 0) */
    int64_t benchtime_n;     /* -benchtime=100x: fixed iteration count */
    int count;               /* -count: runs per benchmark */
    const char *cpuprofile;  /* -cpuprofile: pprof output file, or NULL */
    int help;                /* -h / -help was given */
} bench_options;

/* Fills opt from argv (defaults: 1s, count 1). Returns 0, or -1 with a
 * one-line message in err. */
int bench_parse_args(int argc, char **argv, bench_options *opt,
                     char *err, size_t errlen);

/* Parses "1s", "250ms", "1m30s", "1.5s" into nanoseconds, or "100x" into
 * an iteration count. Returns 0, or -1 when s is not one of these. */
int bench_parse_benchtime(const char *s, int64_t *ns, int64_t *n);

/* Runs the registered benchmarks matching opt->bench_re, printing the
 * header (once a benchmark matches) and one line per run to out. Returns
 * 0, or -1 with a one-line message in err (bad regex). */
int bench_run(const bench_options *opt, FILE *out, char *err, size_t errlen);

/* Checks that re compiles as a PCRE2 pattern. Returns 0, or -1 with a
 * one-line message in err. */
int bench_check_regex(const char *re, char *err, size_t errlen);

/* The "pkg:" value set by bench_set_pkg, or NULL. */
const char *bench_pkg(void);

/* Runs fn once with b->n = n, from a fresh timer; returns the time counted. */
int64_t bench_run_n(bench *b, bench_fn fn, int64_t n);

/* Measures fn per opt (calibrating n, or the fixed -benchtime=Nx); b holds
 * the last run, which is the result. */
void bench_measure(bench *b, bench_fn fn, const bench_options *opt);

/* Go's calibration step: the next n given the goal time, the last run's
 * n and time, and the n before it. Never below last + 1, never above
 * 100 * last or 1e9. */
int64_t bench_predict_n(int64_t goal_ns, int64_t prev_n, int64_t prev_ns,
                        int64_t last);

/* Formats x the way Go's prettyPrint does ("%10.0f ns/op", "%13.2f ..."). */
void bench_pretty(char *buf, size_t len, double x, const char *unit);

/* The result line after the name: "<n>\t<ns> ns/op[\t<MB/s>][\t<metric>]". */
void bench_result_string(char *buf, size_t len, const bench *b);

/* "Name-P" with P = online CPUs (no suffix when P is 1). */
void bench_full_name(char *buf, size_t len, const char *name, int procs);

/* Registry access, in registration order. */
int bench_count(void);
const char *bench_name(int i);
bench_fn bench_func(int i);

/* Monotonic clock in nanoseconds. */
int64_t bench_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif
