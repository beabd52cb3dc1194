/* task04.c: task 4, diffing two profiles (docs/task04.md).
 *
 * Recipe: the benchmark program with a fixed iteration count
 * (-benchtime=20x) run -count=10 times (6 under CPUPROF_QUICK, still
 * enough for the U test to reach p = 0.002), with -cpuprofile, on the
 * untouched program (before) and on yours. The fixed count makes both
 * profiles cover the same work, so that their difference is meaningful.
 *
 * The concatenation site is concat() and everything it calls; it is named
 * by function, so any fix passes that takes its time away: deleting
 * concat, or rewriting it into an amortized append.
 */
#include "checker.h"

#define SITE "^concat(\\..*)?$"

static const criterion criteria[] = {
    {.id = "before-concat", .what = "before: concat has cum", .run = RUN_BEFORE,
     .measure = measure_cum_pct, .arg = SITE, .op = BOUND_AT_LEAST, .lo = 60, .unit = "%",
     .anchor = "before-concat-dominates"},
    {.id = "significant", .what = "BuildReport, benchstat says", .run = RUN_YOURS,
     .also_before = true, .measure = measure_bench_faster, .arg = "BenchmarkBuildReport",
     .op = BOUND_HOLDS, .bound_text = "faster by >= 20%, p < 0.05", .lo = 20,
     .anchor = "a-significant-improvement"},
    {.id = "site-removed", .what = "in the diff, concat's cum changed by", .run = RUN_YOURS,
     .also_before = true, .measure = measure_diff_site_cum, .arg = SITE, .op = BOUND_AT_MOST,
     .hi = -50, .unit = "%", .anchor = "the-concatenation-site-is-removed"},
    {.id = "others-unchanged", .what = "in the diff, other functions changed by at most",
     .run = RUN_YOURS, .also_before = true, .measure = measure_diff_others, .arg = SITE,
     .op = BOUND_AT_MOST, .hi = 5, .unit = "%", .anchor = "nothing-else-changed"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", "-top -cum", NULL};

static const char *const points[] = {
    "the benchstat numbers: both medians, the change in percent, the p-value and n, and why "
    "p < 0.05 from 10 runs a side means the change is not noise",
    "why concat was slow: every append allocates and copies the whole string so far, so n "
    "parts cost about n*n/2 part-copies; a builder that doubles its capacity copies each "
    "byte a few times in all",
    "what the diff showed: concat and its callees (malloc, memcpy, strlen, free) went "
    "negative by most of the before total, your builder appeared with a small positive share",
    "how you checked that nothing else changed, and why that needs both runs to do the same "
    "number of ops (-benchtime=20x rather than a duration)",
    NULL,
};

const task_def task04_def = {
    .num = 4,
    .doc = "docs/task04.md",
    .bench = {.filter = "BuildReport", .benchtime = "20x", .quick_benchtime = "20x",
              .count = 10, .quick_count = 6, .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
