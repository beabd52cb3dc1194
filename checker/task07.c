/* task07.c: task 7, replacing a hot regex (docs/task07.md).
 *
 * Recipe: the benchmark program with -bench=. -count=10 (6 under
 * CPUPROF_QUICK) and -cpuprofile, on the untouched program (before) and on
 * yours. Two benchmarks run: ValidateParallel (4 threads) reports how many times the pattern
 * was compiled when 4 threads first used the validator together (the
 * program counts the calls itself, see tasks/task07/validate_bench.c);
 * ValidateEmails is the one timed.
 *
 * The compile functions are PCRE2's entry point, pcre2_compile (exported
 * as pcre2_compile_8): Debian's libpcre2-8 carries no symbols for its
 * internal functions, so those show as addresses under it, and its cum
 * covers them all.
 */
#include "checker.h"

#define COMPILE "^pcre2_compile(_8)?$"

/* The largest compiles/first-use any ValidateParallel result line reports (each
 * line of one program run reports the same count). */
static int measure_first_use(check_ctx *c, const criterion *k, measurement *m) {
    double vals[64];
    int n;
    if (exercise_run(c, k->run) < 0) {
        textf(m->error, sizeof m->error, "not measured, the %s run failed (see above)",
              k->run == RUN_BEFORE ? "before" : "yours");
        return -1;
    }
    if (bench_values(c->runs[k->run].bench_path, "BenchmarkValidateParallel",
                     "compiles/first-use", vals, 64, &n, m->error, sizeof m->error) < 0)
        return -1;
    double most = vals[0];
    for (int i = 1; i < n; i++)
        if (vals[i] > most) most = vals[i];
    m->value = most;
    textf(m->shown, sizeof m->shown, "%.0f time%s while 4 threads made their first calls", most,
          most == 1 ? "" : "s");
    return 0;
}

static const criterion criteria[] = {
    {.id = "before-compile", .what = "before: pcre2_compile has cum", .run = RUN_BEFORE,
     .measure = measure_cum_pct, .arg = COMPILE, .op = BOUND_AT_LEAST, .lo = 50, .unit = "%",
     .anchor = "the-compiler-is-at-the-top"},
    {.id = "compiles-once", .what = "the pattern was compiled", .run = RUN_YOURS,
     .measure = measure_first_use, .op = BOUND_AT_MOST, .hi = 1, .unit = " compiles",
     .anchor = "compile-once-thread-safe"},
    {.id = "compile-gone", .what = "pcre2_compile has cum", .run = RUN_YOURS,
     .measure = measure_cum_pct, .arg = COMPILE, .op = BOUND_AT_MOST, .hi = 1, .unit = "%",
     .anchor = "the-compile-functions-are-gone"},
    {.id = "significant", .what = "ValidateEmails, benchstat says", .run = RUN_YOURS,
     .also_before = true, .measure = measure_bench_faster, .arg = "BenchmarkValidateEmails",
     .op = BOUND_HOLDS, .bound_text = "faster by >= 20%, p < 0.05", .lo = 20,
     .anchor = "more-than-10x-faster"},
    {.id = "speedup", .what = "ValidateEmails speedup", .run = RUN_YOURS, .also_before = true,
     .measure = measure_speedup, .arg = "BenchmarkValidateEmails", .op = BOUND_AT_LEAST, .lo = 10,
     .unit = "x", .anchor = "more-than-10x-faster"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top -cum", NULL};

static const char *const points[] = {
    "the before profile: pcre2_compile's cum (and that its callees show as addresses, since "
    "the library ships without symbols for its internal functions)",
    "compiling turns the pattern text into a program for the matcher; it depends only on the "
    "pattern, so doing it once per process gives the same answers",
    "how the pattern is made once and safely: pthread_once (or a mutex, or compiling before "
    "any thread starts), and why a plain `if (!re) re = compile()` is a data race",
    "the after numbers: compile gone from the profile, pcre2_match now on top, the benchstat "
    "medians, speedup and p-value",
    NULL,
};

const task_def task07_def = {
    .num = 7,
    .doc = "docs/task07.md",
    .bench = {.filter = ".", .benchtime = "200ms", .quick_benchtime = "100ms", .count = 10,
              .quick_count = 6, .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
