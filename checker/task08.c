/* task08.c: task 8, the "empty profile" of an idle server (docs/task08.md).
 *
 * Recipe (run_fn), one server run with two captures, both with
 * hz=1000&timer=thread (per-thread CPU timers, each sample weighted by
 * the timer periods it covers, so that the little CPU an idle server uses
 * is counted in full even when the kernel delivers only a few samples):
 *   1. start the server (tasks/task08: task 2's hashing server whose main
 *      thread runs an event loop with a housekeeping tick, idle_loop.c),
 *      wait a second, capture IDLE_S seconds with no load at all
 *      -> out/idle.cpu.pb.gz;
 *   2. put hey -c 10 on it, capture 10 seconds (3 under CPUPROF_QUICK)
 *      one second into the load -> out/cpu.pb.gz, out/hey.txt.
 * The "fix" in this task is the load, not code: both captures are of the
 * learner's program ("yours"), as shipped; the learner's part is the
 * writeup. With --solution the untouched program runs and the reference
 * NOTES.md is judged.
 *
 * The idle criteria read out/idle.cpu.pb.gz themselves (the run's profile,
 * out/cpu.pb.gz, is the loaded one).
 */
#include <string.h>
#include <unistd.h>

#include "run_server.h"

#define IDLE_S 10
#define LOAD_S 10
#define QUICK_LOAD_S 3
#define BODY_LEN 512
#define CAPTURE_PARAMS "hz=1000&timer=thread"
#define IDLE_PATH "^idle_"

/* The idle capture, read fresh for each criterion (it is small). */
static int idle_profile(check_ctx *c, profile **p, char *err, size_t errlen) {
    if (exercise_run(c, RUN_YOURS) < 0) {
        textf(err, errlen, "not measured, the yours run failed (see above)");
        return -1;
    }
    char path[PATH_MAX], why[ERRLEN];
    exercise_artifact(c, RUN_YOURS, "idle.cpu.pb.gz", path, sizeof path);
    if (profile_read_file(path, p, why, sizeof why) < 0) {
        textf(err, errlen, "cannot read %s: %s", path, why);
        return -1;
    }
    return 0;
}

static int cpu_index(const profile *p) {
    int vi = profile_value_index(p, "cpu");
    return vi >= 0 ? vi : profile_default_value_index(p);
}

static int64_t total_of(const profile *p, int vi) {
    int64_t t = 0;
    for (size_t i = 0; i < p->nsamples; i++)
        t += p->samples[i].values[vi] < 0 ? -p->samples[i].values[vi] : p->samples[i].values[vi];
    return t;
}

/* CPU sampled during the idle capture, in percent of its wall time. */
static int measure_idle_cpu(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    profile *p;
    if (idle_profile(c, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = cpu_index(p);
    double cpu_ms = (double)total_of(p, vi) / 1e6, wall_ms = (double)p->duration_nanos / 1e6;
    bool ns = strcmp(p->sample_types[vi].unit, "nanoseconds") == 0;
    profile_free(p);
    if (!ns || wall_ms <= 0) {
        textf(m->error, sizeof m->error, "the idle capture has no CPU time or no duration");
        return -1;
    }
    m->value = 100.0 * cpu_ms / wall_ms;
    textf(m->shown, sizeof m->shown, "%.1f%% of its %.1f s (%.0f ms of CPU sampled)",
          m->value, wall_ms / 1000, cpu_ms);
    return 0;
}

/* The CPU time the idle capture's samples stand for, in milliseconds: its
 * cpu total, each sample weighted by the timer periods it covers. */
static int measure_idle_cpu_ms(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    profile *p;
    if (idle_profile(c, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = cpu_index(p), si = profile_value_index(p, "samples");
    bool ns = strcmp(p->sample_types[vi].unit, "nanoseconds") == 0;
    int64_t cpu = total_of(p, vi), n = si >= 0 ? total_of(p, si) : (int64_t)p->nsamples;
    profile_free(p);
    if (!ns) {
        textf(m->error, sizeof m->error, "the idle capture has no CPU time in nanoseconds");
        return -1;
    }
    m->value = (double)cpu / 1e6;
    textf(m->shown, sizeof m->shown, "%.0f ms of CPU in %lld samples", m->value, (long long)n);
    return 0;
}

/* Cum of the functions matching k->arg in the idle capture, in percent. */
static int measure_idle_share(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (idle_profile(c, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = cpu_index(p);
    int64_t total = total_of(p, vi), flat, cum;
    int rc = profile_match_value(p, vi, k->arg, &flat, &cum, m->error, sizeof m->error);
    profile_free(p);
    if (rc < 0) return -1;
    if (total == 0) {
        textf(m->error, sizeof m->error, "the idle capture has no samples");
        return -1;
    }
    m->value = 100.0 * (double)cum / (double)total;
    return 0;
}

static const criterion criteria[] = {
    {.id = "idle-cpu", .what = "idle: the capture sampled CPU for", .run = RUN_YOURS,
     .measure = measure_idle_cpu, .op = BOUND_AT_MOST, .hi = 2, .unit = "%",
     .anchor = "an-idle-server-uses-almost-no-cpu"},
    {.id = "idle-cpu-seen", .what = "idle: the samples stand for", .run = RUN_YOURS,
     .measure = measure_idle_cpu_ms, .op = BOUND_AT_LEAST, .lo = 40, .unit = " ms",
     .anchor = "the-capture-sees-the-housekeeping"},
    {.id = "idle-path", .what = "idle: the idle path " IDLE_PATH " has cum", .run = RUN_YOURS,
     .measure = measure_idle_share, .arg = IDLE_PATH, .op = BOUND_AT_LEAST, .lo = 80,
     .unit = "%", .anchor = "the-samples-sit-in-the-idle-path"},
    {.id = "load", .what = "loaded: hey -c 10 during the capture got", .run = RUN_YOURS,
     .measure = measure_load_ok, .arg = "hey.txt", .op = BOUND_AT_LEAST, .lo = 100,
     .unit = " requests", .anchor = "under-load"},
    {.id = "load-idle-path", .what = "loaded: the idle path " IDLE_PATH " has cum",
     .run = RUN_YOURS, .measure = measure_cum_pct, .arg = IDLE_PATH, .op = BOUND_AT_MOST,
     .hi = 10, .unit = "%", .anchor = "under-load"},
    {.id = "load-handler", .what = "loaded: the handler ^hash_handler$ has cum",
     .run = RUN_YOURS, .measure = measure_cum_pct, .arg = "^hash_handler$",
     .op = BOUND_AT_LEAST, .lo = 50, .unit = "%", .anchor = "under-load"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

/* make task8 shows the idle capture too (the standard report is the
 * loaded one). */
static void show_top(const char *path) {
    const char *argv[] = {"build/bin/cpuprof", "-top", path, NULL};
    char cmd[PATH_MAX + 64], err[ERRLEN];
    run_format_argv(argv, cmd, sizeof cmd);
    printf("\n$ %s\n", cmd);
    if (run_cmd(argv, NULL, err, sizeof err) < 0) fprintf(stderr, "checker: %s\n", err);
}

static int run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    int seconds = c->quick ? QUICK_LOAD_S : LOAD_S;
    char idle[PATH_MAX], hey_out[PATH_MAX], err[ERRLEN] = "";
    exercise_artifact(c, w, "idle.cpu.pb.gz", idle, sizeof idle);
    exercise_artifact(c, w, "hey.txt", hey_out, sizeof hey_out);
    unlink(hey_out);
    server_proc s;
    if (server_start(c, w, &s, r->error, sizeof r->error) < 0) return -1;
    server_sleep(1); /* start-up work is not idle time */
    if (server_capture(c, &s, IDLE_S, CAPTURE_PARAMS, idle, err, sizeof err) == 0) {
        load_spec l = {.path = "", .seconds = seconds + 2, .concurrency = 10,
                       .body_len = BODY_LEN};
        server_capture_loaded(c, w, &s, &l, seconds, CAPTURE_PARAMS, hey_out, err, sizeof err);
    }
    int rc = server_finish(c, w, &s, err);
    if (c->show_output && !err[0]) {
        show_top(idle);
        printf("\n$ hey ... (the load)\n");
        server_show(hey_out);
    }
    return rc;
}

static const char *const show[] = {"-top", NULL};

static const char *const points[] = {
    "what a CPU profiler samples: threads while they run on a CPU (the timers count CPU "
    "time), so a thread blocked in sigtimedwait, epoll_wait or a condition variable adds "
    "nothing, however long it waits",
    "the idle numbers: about 1% of the capture's wall time was CPU, and nearly all of it "
    "was the housekeeping tick (idle_loop > idle_housekeeping > idle_sweep_sessions)",
    "what it cannot show: off-CPU time (sleeping, waiting for I/O, for locks, for the "
    "network); a slow request that waits shows up in a wall-clock or off-CPU profile, "
    "not here",
    "under load the same tick costs the same CPU but is a tiny share next to hashing: the "
    "idle path drops below 1% and hash_handler takes most of the samples",
    "why hz=1000&timer=thread: with little CPU time there are few samples; per-thread "
    "timers weight each sample by the CPU it stands for",
    NULL,
};

const task_def task08_def = {
    .num = 8,
    .doc = "docs/task08.md",
    .run_fn = run,
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
