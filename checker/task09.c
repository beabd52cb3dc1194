/* task09.c: task 9, profile bias and inlining (docs/task09.md).
 *
 * The fix here is a build flag, not a code change. The same program is
 * built twice: the before run is the untouched program as shipped (the
 * default -O2), the yours run is your program built with -fno-inline (the
 * C counterpart of Go's -gcflags=all=-l), through the recipe's per-run
 * flags. Both run -bench=. -cpuprofile. The criteria on before say add is
 * gone at -O2, the ones on yours that it is a frame of its own without
 * inlining; the writeup is the learner's part.
 */
#include "checker.h"

#define ADD "^add(\\..*)?$"

/* Samples (counts, not time) with a frame matching k->arg anywhere on the
 * stack, inlined frames included. */
static int measure_frame_samples(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int si = profile_value_index(p, "samples");
    if (si < 0) si = profile_default_value_index(p);
    int64_t flat, cum, total = 0;
    if (profile_match_value(p, si, k->arg, &flat, &cum, m->error, sizeof m->error) < 0) return -1;
    for (size_t i = 0; i < p->nsamples; i++) total += p->samples[i].values[si];
    m->value = (double)cum;
    textf(m->shown, sizeof m->shown, "%lld of %lld samples", (long long)cum, (long long)total);
    return 0;
}

static const criterion criteria[] = {
    {.id = "inlined-absent", .what = "-O2: add is a frame in", .run = RUN_BEFORE,
     .measure = measure_frame_samples, .arg = ADD, .op = BOUND_AT_MOST, .hi = 0,
     .unit = " samples", .anchor = "inlined-add-is-absent"},
    {.id = "caller-has-it", .what = "-O2: energy has flat", .run = RUN_BEFORE,
     .measure = measure_flat_pct, .arg = "^energy(\\..*)?$", .op = BOUND_AT_LEAST, .lo = 90,
     .unit = "%", .anchor = "inlined-add-is-absent"},
    {.id = "own-frame", .what = "-fno-inline: add has flat", .run = RUN_YOURS,
     .measure = measure_flat_pct, .arg = ADD, .op = BOUND_AT_LEAST, .lo = 5, .unit = "%",
     .anchor = "not-inlined-add-is-a-frame"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", NULL};

static const char *const points[] = {
    "at -O2 the compiler pasted add into energy: the program has no function add, so every "
    "sample of that work is energy's flat; a symbol-based profiler cannot show what is not "
    "there",
    "-fno-inline keeps add a real call: the profile then matches the source line for line "
    "(clarity), but the program it measured is not the one you ship: a call and a return per "
    "element, measurably slower (quote both ns/op)",
    "where samples land inside a two-instruction function is itself biased (they tend to fall "
    "on the call or the return), so even add's share with -fno-inline is a rough figure",
    "never ship -fno-inline: it slows every small helper in the program and hides the real "
    "hot spots behind call overhead; profile the build you ship, and read inlined code "
    "through its caller (or a tool that reads DWARF inline information)",
    NULL,
};

const task_def task09_def = {
    .num = 9,
    .doc = "docs/task09.md",
    .run_cflags = {NULL, "-fno-inline"},
    .bench = {.filter = ".", .benchtime = "1s", .quick_benchtime = "1s", .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
