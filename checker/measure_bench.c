/* measure_bench.c: the benchmark criteria, before against yours,
 * computed with benchstat's own code (libbenchstat: the reader in
 * benchfmt.c, the statistics in stats.c), never from its printed table.
 *
 * The verdict's numbers are the ones `benchstat before.bench.txt
 * bench.txt` prints for sec/op: each side's median, and the two-sided
 * Mann-Whitney U test p-value; a change is significant when p < 0.05,
 * benchstat's default alpha. A criterion can also ask for a minimum
 * effect in its lo, the percent of before's median that yours must save
 * (tasks 4, 6, 7: 20), so that a small drift that happens to be
 * consistent is not taken for a fix. With 6 runs a side the smallest p the test
 * can reach is 0.002, with 10 it is 0.00018, so -count must be at least 6
 * for any verdict; with fewer runs, the criterion fails and says so. The
 * speedup is the ratio of the two medians.
 *
 * The two runs are made as a pair, interleaved round by round (see
 * exercise.c), so that a change in the machine's load during the check
 * falls on both sides alike.
 *
 * Invariant: both runs are made (the criteria set .also_before) and the
 * values read are exactly the result lines of the named benchmark in the
 * two bench.txt files of this invocation.
 */
#include "checker.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benchstat.h"

#define ALPHA 0.05
#define MAX_RUNS 256

/* bs_line's name is "Name-P" (no "Benchmark"); want is "BenchmarkName" or
 * "Name", and matches with or without "-P". */
static bool same_name(const char *got, const char *want) {
    if (strncmp(want, "Benchmark", 9) == 0) want += 9;
    size_t n = strlen(want);
    if (strncmp(got, want, n) != 0) return false;
    if (got[n] == '\0') return true;
    if (got[n] != '-' || !got[n + 1]) return false;
    for (const char *p = got + n + 1; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

int bench_values(const char *path, const char *name, const char *unit, double *vals, int max,
                 int *n, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        textf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        bs_line l;
        if (bs_parse_line(line, &l) != BS_LINE_RESULT || !same_name(l.name, name)) continue;
        for (int i = 0; i < l.nvalues; i++)
            if (strcmp(l.values[i].unit, unit) == 0 && *n < max) vals[(*n)++] = l.values[i].value;
    }
    fclose(f);
    if (*n == 0) {
        textf(err, errlen, "%s has no %s result for %s", path, unit, name);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct bench_verdict {
    double before, yours; /* medians, seconds per op */
    double p;             /* NAN when no test was possible */
    int nb, ny;
    const char *why; /* why there is no p, or NULL */
} bench_verdict;

static int compare(check_ctx *c, const char *name, bench_verdict *v, char *err, size_t errlen) {
    static double b[MAX_RUNS], y[MAX_RUNS];
    for (int w = RUN_BEFORE; w <= RUN_YOURS; w++)
        if (exercise_run(c, (run_which)w) < 0) {
            textf(err, errlen, "not measured, the %s run failed (see above)",
                  w == RUN_BEFORE ? "before" : "yours");
            return -1;
        }
    if (bench_values(c->runs[RUN_BEFORE].bench_path, name, "sec/op", b, MAX_RUNS, &v->nb, err,
                     errlen) < 0 ||
        bench_values(c->runs[RUN_YOURS].bench_path, name, "sec/op", y, MAX_RUNS, &v->ny, err,
                     errlen) < 0)
        return -1;
    qsort(b, (size_t)v->nb, sizeof *b, cmp_double);
    qsort(y, (size_t)v->ny, sizeof *y, cmp_double);
    v->before = bs_quantile(b, v->nb, 0.5);
    v->yours = bs_quantile(y, v->ny, 0.5);
    v->p = NAN;
    v->why = NULL;
    switch (bs_mann_whitney(b, v->nb, y, v->ny, &v->p)) {
    case BS_TEST_OK: break;
    case BS_TEST_SIZE: v->why = "a sample is empty"; break;
    case BS_TEST_EQUAL: v->why = "all values are equal"; break;
    }
    return 0;
}

/* "3.420ms -> 282.1µs (-91.75%), p=0.002 n=6+6", scaled as benchstat does. */
static void describe(const bench_verdict *v, char *buf, size_t len) {
    double meds[2] = {v->before, v->yours};
    bs_scaler s = bs_common_scale(meds, 2, BS_DECIMAL);
    char a[32], b[32], p[32];
    bs_scale_format(a, sizeof a, s, v->before);
    bs_scale_format(b, sizeof b, s, v->yours);
    if (v->why)
        textf(p, sizeof p, "no test: %s", v->why);
    else
        textf(p, sizeof p, "p=%.3f", v->p);
    textf(buf, len, "sec/op %ss -> %ss (%+.2f%%), %s n=%d+%d", a, b,
          100.0 * (v->yours - v->before) / v->before, p, v->nb, v->ny);
}

int measure_bench_faster(check_ctx *c, const criterion *k, measurement *m) {
    bench_verdict v;
    if (compare(c, k->arg, &v, m->error, sizeof m->error) < 0) return -1;
    char d[300], why[64] = "";
    describe(&v, d, sizeof d);
    bool significant = !v.why && v.p < ALPHA;
    /* The gain as printed (two decimals), so the line never shows -20.00%
     * failing "by at least 20%". */
    double gain = round(10000.0 * (v.before - v.yours) / v.before) / 100.0;
    bool enough = gain >= k->lo;
    m->value = significant && v.yours < v.before && enough;
    if (significant && v.yours < v.before && !enough)
        textf(why, sizeof why, "faster by less than %g%%", k->lo);
    const char *verdict = !significant         ? "no significant change"
                          : v.yours >= v.before ? "slower"
                          : why[0]              ? why
                                                : "faster";
    textf(m->shown, sizeof m->shown, "%s: %s", verdict, d);
    return 0;
}

int measure_speedup(check_ctx *c, const criterion *k, measurement *m) {
    bench_verdict v;
    if (compare(c, k->arg, &v, m->error, sizeof m->error) < 0) return -1;
    if (v.yours <= 0) {
        textf(m->error, sizeof m->error, "%s reports 0 ns/op", k->arg);
        return -1;
    }
    m->value = v.before / v.yours;
    textf(m->shown, sizeof m->shown, "%.2fx (median %.6g ns/op before, %.6g yours)", m->value,
          v.before * 1e9, v.yours * 1e9);
    return 0;
}
