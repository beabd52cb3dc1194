/* task05.c: task 5, labels by endpoint (docs/task05.md).
 *
 * Recipe (run_fn): start the server (tasks/task05: GET /fast, /slow and
 * /spike, each handler run under cpuprof_do with endpoint=<route>), put
 * mixed load on it with three hey processes at once, one per route, each
 * with -c 2 for the capture window plus two seconds, capture
 * /debug/pprof/profile?seconds=30 (6 under CPUPROF_QUICK) one second into
 * the load, wait for the loads, stop the server. Artifacts: out/cpu.pb.gz,
 * out/hey_fast.txt, out/hey_slow.txt, out/hey_spike.txt, out/server.log.
 *
 * Every criterion is on "yours". The tags and tagfocus criteria hold on
 * the untouched program too; the helper-thread criterion is the fix: it
 * fails on the untouched program, whose helper thread starts with no
 * labels, and passes once the handler's label set is handed to it.
 */
#include <string.h>

#include "measure_stacks.h"
#include "run_server.h"

#define CAPTURE_S 30
#define QUICK_CAPTURE_S 6
#define CONCURRENCY 2

static const char *const routes[] = {"/fast", "/slow", "/spike"};
#define NROUTES 3

static int run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    int seconds = c->quick ? QUICK_CAPTURE_S : CAPTURE_S;
    char err[ERRLEN] = "", hey_out[NROUTES][PATH_MAX];
    pid_t hey[NROUTES];
    server_proc s;
    if (server_start(c, w, &s, r->error, sizeof r->error) < 0) return -1;
    int started = 0;
    for (; started < NROUTES; started++) {
        char name[32];
        textf(name, sizeof name, "hey_%s.txt", routes[started] + 1);
        exercise_artifact(c, w, name, hey_out[started], sizeof hey_out[started]);
        load_spec l = {.path = routes[started] + 1, .seconds = seconds + 2,
                       .concurrency = CONCURRENCY};
        hey[started] = server_load_start(c, w, &s, &l, hey_out[started], err, sizeof err);
        if (hey[started] < 0) break;
    }
    if (started == NROUTES) {
        server_sleep(1);
        server_capture(c, &s, seconds, NULL, r->profile_path, err, sizeof err);
    }
    for (int i = 0; i < started; i++) {
        char why[ERRLEN];
        if (run_wait(hey[i], "hey", seconds + 60, why, sizeof why) < 0 && !err[0])
            textf(err, sizeof err, "%s; see %s", why, hey_out[i]);
    }
    int rc = server_finish(c, w, &s, err);
    if (c->show_output)
        for (int i = 0; i < started; i++) server_show(hey_out[i]);
    return rc;
}

/* Every route's load got only 200 answers; the value is the smallest
 * number of answers. */
static int measure_loads(check_ctx *c, const criterion *k, measurement *m) {
    double least = 0;
    char shown[sizeof m->shown] = "";
    for (int i = 0; i < NROUTES; i++) {
        char name[32];
        textf(name, sizeof name, "hey_%s.txt", routes[i] + 1);
        criterion one = *k;
        one.arg = name;
        measurement mi = {0};
        if (measure_load_ok(c, &one, &mi) < 0) {
            textf(m->error, sizeof m->error, "%s: %s", routes[i], mi.error);
            return -1;
        }
        if (i == 0 || mi.value < least) least = mi.value;
        size_t used = strlen(shown);
        textf(shown + used, sizeof shown - used, "%s%s %.0f", i ? ", " : "", routes[i],
              mi.value);
    }
    m->value = least;
    textf(m->shown, sizeof m->shown, "%s requests, all 200 (at least %.0f each)", shown, least);
    return 0;
}

/* How many of the three routes `tags` lists as values of endpoint. */
static int measure_tags(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = profile_value_index(p, "cpu");
    if (vi < 0) vi = profile_default_value_index(p);
    pf_tags t;
    if (profile_tags(p, vi, &t, m->error, sizeof m->error) < 0) return -1;
    const pf_tag *ep = NULL;
    for (size_t i = 0; i < t.ntags; i++)
        if (strcmp(t.tags[i].key, k->arg) == 0) ep = &t.tags[i];
    int found = 0;
    char list[300] = "";
    if (ep) {
        for (size_t i = 0; i < ep->nvalues; i++) {
            for (int r = 0; r < NROUTES; r++)
                if (strcmp(ep->values[i].value, routes[r]) == 0) found++;
            size_t used = strlen(list);
            textf(list + used, sizeof list - used, "%s%s %.1f%%", i ? ", " : "",
                  ep->values[i].value,
                  ep->total ? 100.0 * (double)ep->values[i].total / (double)ep->total : 0.0);
        }
    }
    pf_tags_free(&t);
    m->value = found;
    if (!ep)
        textf(m->shown, sizeof m->shown, "0 values: no sample has the label %s", k->arg);
    else
        textf(m->shown, sizeof m->shown, "%d of /fast, /slow, /spike (%s)", found, list);
    return 0;
}

/* After -tagfocus=endpoint=/slow, the share with slow_work on the stack. */
static int measure_tagfocus_slow(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int64_t n;
    if (stacks_share_after_tagfocus(c->runs[k->run].profile_path, "endpoint=/slow", k->arg,
                                    &m->value, &n, m->error, sizeof m->error) < 0)
        return -1;
    textf(m->shown, sizeof m->shown, "%.1f%% of the %lld samples left", m->value,
          (long long)n);
    return 0;
}

/* Of the samples with spike_work on the stack, the share labelled
 * endpoint=/spike. */
static int measure_helper_labels(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int64_t n;
    if (stacks_label_share(c->runs[k->run].profile_path, NULL, k->arg, "endpoint", "/spike",
                           &m->value, &n, m->error, sizeof m->error) < 0)
        return -1;
    textf(m->shown, sizeof m->shown, "%.1f%% of the %lld samples with spike_work", m->value,
          (long long)n);
    return 0;
}

static const criterion criteria[] = {
    {.id = "load", .what = "mixed load, three hey -c 2 at once:", .run = RUN_YOURS,
     .measure = measure_loads, .op = BOUND_AT_LEAST, .lo = 10, .unit = " requests",
     .anchor = "the-load"},
    {.id = "tags", .what = "tags: endpoint has", .run = RUN_YOURS, .measure = measure_tags,
     .arg = "endpoint", .op = BOUND_AT_LEAST, .lo = 3, .unit = " values",
     .anchor = "tags-lists-all-three-endpoints"},
    {.id = "tagfocus", .what = "-tagfocus=endpoint=/slow: slow_work is on the stack in",
     .run = RUN_YOURS, .measure = measure_tagfocus_slow, .arg = "^slow_work$",
     .op = BOUND_AT_LEAST, .lo = 90, .unit = "%", .anchor = "tagfocus-keeps-the-slow-handler"},
    {.id = "helper", .what = "the helper thread: endpoint=/spike is on", .run = RUN_YOURS,
     .measure = measure_helper_labels, .arg = "^spike_work$", .op = BOUND_AT_LEAST, .lo = 90,
     .unit = "%", .anchor = "the-helper-thread-carries-the-label"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-tags", "-top -tagfocus=endpoint=/slow", NULL};

static const char *const points[] = {
    "what tags showed: the three values of endpoint and their shares, and why /slow has most "
    "of the CPU although /fast answers more requests",
    "what -tagfocus=endpoint=/slow kept: only samples taken inside the /slow handler, so "
    "slow_work and SHA-256 under it",
    "why the helper thread's samples had no label at first: the label set belongs to the "
    "thread that called cpuprof_do, and a new thread starts with none",
    "the fix: read cpuprof_labels_current() in the handler, pass the pointer to the helper "
    "with its work, call cpuprof_labels_set() there first; the set is immutable and never "
    "freed, so the pointer may cross threads",
    "the Go side of it: labels ride in the context and in the goroutine; a goroutine started "
    "with go func() inside pprof.Do's function inherits its creator's labels, while work "
    "handed to a goroutine that already exists needs the ctx (pprof.SetGoroutineLabels); C "
    "threads never inherit",
    NULL,
};

const task_def task05_def = {
    .num = 5,
    .doc = "docs/task05.md",
    .run_fn = run,
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
