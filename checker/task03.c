/* task03.c: task 3, reading flat versus cumulative (docs/task03.md).
 *
 * Recipe: the benchmark program (outer -> middle -> leaf) with -bench=.
 * -cpuprofile. All criteria are measured on "yours", like task 1.
 *
 * The order criterion is this task's own measure: in the report sorted by
 * cum, outer and middle must come before leaf, and only their callers (the
 * program's entry, the harness, the benchmark function) may come before
 * them. It compares values, not printed positions: when cum values tie,
 * cpuprof breaks the tie by name, which says nothing about the program.
 */
#include "checker.h"

#include <stdlib.h>
#include <string.h>

/* name is fn, or a compiler clone of it ("leaf.constprop.0"). */
static bool is_fn(const char *name, const char *fn) {
    size_t n = strlen(fn);
    return strncmp(name, fn, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

/* Adds to *names (a NULL-free list of length *n) every function found on
 * the stacks of p rootward of a frame of outer. */
static int callers_of_outer(const profile *p, const char ***names, size_t *n) {
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    for (size_t s = 0; s < p->nsamples; s++) {
        const pf_sample *sm = &p->samples[s];
        bool above = false; /* past outer, walking leaf to root */
        for (size_t i = 0; i < sm->nlocs; i++) {
            const pf_location *loc = sm->locs[i];
            for (size_t j = 0; j < loc->nlines; j++) {
                const char *name = loc->lines[j].fn ? loc->lines[j].fn->name : "";
                if (!above) {
                    above = is_fn(name, "outer");
                    continue;
                }
                bool seen = false;
                for (size_t k = 0; k < *n && !seen; k++) seen = strcmp((*names)[k], name) == 0;
                if (seen) continue;
                if (*n == cap) {
                    cap = cap ? 2 * cap : 16;
                    const char **grown = realloc(*names, cap * sizeof **names);
                    if (!grown) return -1;
                    *names = grown;
                }
                (*names)[(*n)++] = name;
            }
        }
    }
    return 0;
}

static int measure_order(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = profile_value_index(p, "cpu");
    if (vi < 0) vi = profile_default_value_index(p);
    pf_report rep;
    if (profile_top(p, vi, true, &rep, m->error, sizeof m->error) < 0) return -1;
    const char **callers = NULL;
    size_t ncallers = 0;
    int64_t cum_outer = -1, cum_middle = -1, cum_leaf = -1;
    for (size_t i = 0; i < rep.nrows; i++) {
        const pf_row *r = &rep.rows[i];
        if (is_fn(r->name, "outer")) cum_outer = r->cum;
        else if (is_fn(r->name, "middle")) cum_middle = r->cum;
        else if (is_fn(r->name, "leaf")) cum_leaf = r->cum;
    }
    int rc = 0;
    if (cum_outer < 0 || cum_middle < 0 || cum_leaf < 0 || rep.total == 0) {
        snprintf(m->error, sizeof m->error, "outer, middle and leaf are not all in the profile");
        rc = -1;
        goto out;
    }
    if (callers_of_outer(p, &callers, &ncallers) < 0) {
        snprintf(m->error, sizeof m->error, "out of memory");
        rc = -1;
        goto out;
    }
    /* Rows that sit at or above middle by cum and are neither the chain
     * nor a caller of outer. */
    const char *intruder = NULL;
    for (size_t i = 0; i < rep.nrows && !intruder; i++) {
        const pf_row *r = &rep.rows[i];
        if (r->cum < cum_middle || is_fn(r->name, "outer") || is_fn(r->name, "middle") ||
            is_fn(r->name, "leaf"))
            continue;
        bool caller = false;
        for (size_t j = 0; j < ncallers && !caller; j++) caller = strcmp(callers[j], r->name) == 0;
        if (!caller) intruder = r->name;
    }
    double t = (double)rep.total / 100.0;
    bool ordered = cum_outer >= cum_middle && cum_middle >= cum_leaf;
    m->value = ordered && !intruder;
    int len = snprintf(m->shown, sizeof m->shown, "is outer %.1f%% >= middle %.1f%% >= leaf %.1f%%",
                       (double)cum_outer / t, (double)cum_middle / t, (double)cum_leaf / t);
    if (!ordered && len > 0)
        snprintf(m->shown + len, sizeof m->shown - (size_t)len, ": not in this order");
    else if (intruder && len > 0)
        snprintf(m->shown + len, sizeof m->shown - (size_t)len,
                 ", but %s (not a caller of outer) has a higher cum than middle", intruder);
out:
    free(callers);
    pf_report_free(&rep);
    return rc;
}

#define FN(name) "^" name "(\\..*)?$"

static const criterion criteria[] = {
    {.id = "profile", .what = "the benchmark's profile", .run = RUN_YOURS,
     .measure = measure_profile_samples, .op = BOUND_AT_LEAST, .lo = 10, .unit = " samples",
     .anchor = "the-profile-exists"},
    {.id = "leaf-flat", .what = "leaf has flat", .run = RUN_YOURS, .measure = measure_flat_pct,
     .arg = FN("leaf"), .op = BOUND_AT_LEAST, .lo = 80, .unit = "%", .anchor = "leaf-has-high-flat-and-high-cum"},
    {.id = "leaf-cum", .what = "leaf has cum", .run = RUN_YOURS, .measure = measure_cum_pct,
     .arg = FN("leaf"), .op = BOUND_AT_LEAST, .lo = 80, .unit = "%", .anchor = "leaf-has-high-flat-and-high-cum"},
    {.id = "outer-cum", .what = "outer has cum", .run = RUN_YOURS, .measure = measure_cum_pct,
     .arg = FN("outer"), .op = BOUND_AT_LEAST, .lo = 90, .unit = "%",
     .anchor = "outer-and-middle-have-high-cum-and-low-flat"},
    {.id = "outer-flat", .what = "outer has flat", .run = RUN_YOURS, .measure = measure_flat_pct,
     .arg = FN("outer"), .op = BOUND_AT_MOST, .hi = 5, .unit = "%",
     .anchor = "outer-and-middle-have-high-cum-and-low-flat"},
    {.id = "middle-cum", .what = "middle has cum", .run = RUN_YOURS, .measure = measure_cum_pct,
     .arg = FN("middle"), .op = BOUND_AT_LEAST, .lo = 90, .unit = "%",
     .anchor = "outer-and-middle-have-high-cum-and-low-flat"},
    {.id = "middle-flat", .what = "middle has flat", .run = RUN_YOURS, .measure = measure_flat_pct,
     .arg = FN("middle"), .op = BOUND_AT_MOST, .hi = 5, .unit = "%",
     .anchor = "outer-and-middle-have-high-cum-and-low-flat"},
    {.id = "cum-order", .what = "cum order", .run = RUN_YOURS, .measure = measure_order,
     .op = BOUND_HOLDS, .bound_text = "outer, middle, then leaf; only callers above them",
     .anchor = "the-cum-order"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", "-top -cum", NULL};

static const char *const points[] = {
    "flat is time spent in a function's own instructions; cum adds everything it called",
    "outer and middle have a high cum only because leaf runs under them: their own code is "
    "a loop and a call, a few percent at most",
    "speeding up outer's or middle's own code cannot save more than their flat; making leaf "
    "cheaper (or calling it less) is where the time is",
    "cum is still useful: it says which caller to look at when a leaf is called from several "
    "places, or when a call could be skipped",
    NULL,
};

const task_def task03_def = {
    .num = 3,
    .doc = "docs/task03.md",
    .bench = {.filter = ".", .benchtime = "1s", .quick_benchtime = "500ms", .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
