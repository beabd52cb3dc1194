/* task01.c: task 1, a first profile from a benchmark (docs/task01.md).
 *
 * Recipe: the benchmark program with -bench=. -cpuprofile. All criteria
 * are measured on "yours" (the program is given; the learner runs it and
 * explains what it shows), and on the untouched program with --solution.
 */
#include "checker.h"

static const criterion criteria[] = {
    {.id = "profile", .what = "the benchmark's profile", .run = RUN_YOURS,
     .measure = measure_profile_samples, .op = BOUND_AT_LEAST, .lo = 10, .unit = " samples",
     .anchor = "the-profile-exists"},
    {.id = "sum-flat", .what = "sum has flat", .run = RUN_YOURS, .measure = measure_flat_pct,
     .arg = "^sum$", .op = BOUND_AT_LEAST, .lo = 90, .unit = "%", .anchor = "sum-has-the-flat-time"},
    {.id = "flat-is-cum", .what = "for sum, cum - flat is", .run = RUN_YOURS,
     .measure = measure_cum_minus_flat, .arg = "^sum$", .op = BOUND_AT_MOST, .hi = 5,
     .unit = " points", .anchor = "flat-equals-cum"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", NULL};

static const char *const points[] = {
    "flat counts samples where sum is the innermost frame; cum counts samples where sum is "
    "anywhere on the stack",
    "sum calls no function, so it is never on the stack above something else: every sample "
    "with sum in it has sum as its leaf, and cum equals flat",
    "the numbers from the run (for example flat 98% and cum 98%) and what the small rest is "
    "(the benchmark loop, the harness, the profiler)",
    "they would differ once sum called a helper: the helper's time would count in sum's cum "
    "but not in its flat",
    NULL,
};

const task_def task01_def = {
    .num = 1,
    .doc = "docs/task01.md",
    .bench = {.filter = ".", .benchtime = "1s", .quick_benchtime = "500ms", .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
