/* task09.c: task 9, profile bias and inlining (docs/task09.md).
 *
 * The fix here is a build flag, not a code change. The same program is
 * built twice: the before run is the untouched program as shipped (the
 * default -O2), the yours run is your program built with -fno-inline (the
 * C counterpart of Go's -gcflags=all=-l), through the recipe's per-run
 * flags. Both run -bench=. -cpuprofile. The criteria on before say add is
 * no longer a call at -O2, the ones on yours that it is a frame of its own
 * without inlining; the writeup is the learner's part.
 *
 * Call frames and inlined frames. The symbolizer reads DWARF, so a
 * location inside inlined code has several lines, innermost first: at -O2
 * the addsd of add's body is a location whose lines are add (inlined) and
 * then energy. Only a location's outermost line is a real call frame (a
 * return address or the interrupted pc of a function that exists in the
 * binary); the lines before it are names the debug information gives to
 * parts of that function. The -O2 criteria count call frames only, so add
 * named as an inlined frame is shown but never fails them; pprof's flat
 * and cum (profile_top), which count every line, would.
 */
#include "checker.h"
#include "measure_stacks.h"

#define ADD "^add(\\..*)?$"
#define ENERGY "^energy(\\..*)?$"

/* The function of a location's outermost line (its call frame), or "". */
static const char *call_frame(const pf_location *loc) {
    if (!loc->nlines || !loc->lines[loc->nlines - 1].fn) return "";
    return loc->lines[loc->nlines - 1].fn->name;
}

/* Whether an inlined line of loc (any but the outermost) names a function
 * matching re. */
static int names_inlined(const pf_location *loc, const char *re, bool *hit, char *err,
                         size_t errlen) {
    *hit = false;
    size_t n = loc->nlines ? loc->nlines - 1 : 0;
    for (size_t i = 0; i < n && !*hit; i++) {
        const char *name = loc->lines[i].fn ? loc->lines[i].fn->name : "";
        if (stacks_name_matches(re, name, hit, err, errlen) < 0) return -1;
    }
    return 0;
}

static int64_t magnitude(int64_t v) {
    return v < 0 ? -v : v;
}

/* Samples (counts, not time) with a call frame matching k->arg anywhere on
 * the stack; the shown text also gives the samples where it is named only
 * as an inlined frame. */
static int measure_call_samples(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int si = profile_value_index(p, "samples");
    if (si < 0) si = profile_default_value_index(p);
    int64_t called = 0, inlined = 0, total = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const pf_sample *s = &p->samples[i];
        int64_t v = magnitude(s->values[si]);
        bool call = false, inl = false;
        for (size_t j = 0; j < s->nlocs && !call; j++) {
            bool hit;
            if (stacks_name_matches(k->arg, call_frame(s->locs[j]), &call, m->error,
                                    sizeof m->error) < 0 ||
                names_inlined(s->locs[j], k->arg, &hit, m->error, sizeof m->error) < 0)
                return -1;
            inl = inl || hit;
        }
        total += v;
        if (call) called += v;
        else if (inl) inlined += v;
    }
    m->value = (double)called;
    textf(m->shown, sizeof m->shown,
          "%lld of %lld samples (named as an inlined frame only, no call, in %lld)",
          (long long)called, (long long)total, (long long)inlined);
    return 0;
}

/* Percent of the cpu total in the samples whose leaf call frame (the
 * function the pc was in, inlined code counted as its caller's) matches
 * k->arg: pprof's flat, by call frames. */
static int measure_leaf_call_pct(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = profile_value_index(p, "cpu");
    if (vi < 0) vi = profile_default_value_index(p);
    int64_t hit = 0, total = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const pf_sample *s = &p->samples[i];
        int64_t v = magnitude(s->values[vi]);
        bool match = false;
        if (s->nlocs && stacks_name_matches(k->arg, call_frame(s->locs[0]), &match, m->error,
                                            sizeof m->error) < 0)
            return -1;
        total += v;
        if (match) hit += v;
    }
    if (total == 0) {
        textf(m->error, sizeof m->error, "%s has no samples", c->runs[k->run].profile_path);
        return -1;
    }
    m->value = 100.0 * (double)hit / (double)total;
    return 0;
}

static const criterion criteria[] = {
    {.id = "no-call", .what = "-O2: add is a call frame in", .run = RUN_BEFORE,
     .measure = measure_call_samples, .arg = ADD, .op = BOUND_AT_MOST, .hi = 0,
     .unit = " samples", .anchor = "inlined-add-is-not-called"},
    {.id = "caller-has-it", .what = "-O2: energy is the leaf call frame in",
     .run = RUN_BEFORE, .measure = measure_leaf_call_pct, .arg = ENERGY, .op = BOUND_AT_LEAST,
     .lo = 90, .unit = "%", .anchor = "inlined-add-is-not-called"},
    {.id = "own-frame", .what = "-fno-inline: add has flat", .run = RUN_YOURS,
     .measure = measure_flat_pct, .arg = ADD, .op = BOUND_AT_LEAST, .lo = 5, .unit = "%",
     .anchor = "not-inlined-add-is-a-frame"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", NULL};

static const char *const points[] = {
    "at -O2 the compiler pasted add into energy: the program has no function add and never "
    "calls it, so as machine code every sample is energy's; the profile may still name "
    "add (inline) for the few samples on its addsd, from the debug information, which is a "
    "source-level view of energy's own code, not a call",
    "-fno-inline keeps add a real call: the profile then matches the source line for line "
    "(clarity), but the program it measured is not the one you ship: a call and a return per "
    "element, measurably slower (quote both ns/op)",
    "where samples land inside a two-instruction function is itself biased (they tend to fall "
    "on the call or the return), so even add's share with -fno-inline is a rough figure",
    "never ship -fno-inline: it slows every small helper in the program and hides the real "
    "hot spots behind call overhead; profile the build you ship, and read inlined code "
    "through its caller and the (inline) lines its debug information gives",
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
