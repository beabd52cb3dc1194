/* task10.c: task 10, mutex contention in a CPU profile (docs/task10.md).
 *
 * Recipe (run_fn): the service runs twice, 100 reader threads and one
 * writer each time:
 *   1. -seconds 10 (4 under CPUPROF_QUICK) -cpuprofile out/cpu.pb.gz, with
 *      the mutex profile off, so that recording contention costs nothing
 *      in the CPU profile;
 *   2. -seconds 3 (2) -mutexprofile out/mutex.pb.gz: the mutex profile at
 *      rate 1 (every contended lock recorded).
 * Output of both goes to out/bench.txt; the untouched program's files are
 * prefixed "before." as usual.
 *
 * Lock-related functions are the pthread mutex, rwlock, spinlock and
 * condition variable entry points and glibc's low-level lock and futex
 * helpers; their cum counts each sample once. The criterion on yours is
 * on the effect, so any read path that takes no lock passes, and a
 * reader-writer lock does not (its read side is a lock too).
 */
#include <unistd.h>

#include "checker.h"
#include "measure_stacks.h"

#define LOCK                                                                              \
    "^(pthread_mutex_(lock|unlock|trylock|timedlock)|__pthread_mutex_.*|__lll_.*|lll_.*|"  \
    "pthread_rwlock_.*|__pthread_rwlock_.*|pthread_spin_.*|pthread_cond_.*|"               \
    "__pthread_cond_.*|.*futex.*)$"
#define MAP_SITE "^cache_(get|put)$"

#define CPU_SECONDS "10"
#define QUICK_CPU_SECONDS "4"
#define MUTEX_SECONDS "3"
#define QUICK_MUTEX_SECONDS "2"

static int run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    char mutex_path[PATH_MAX], log2[PATH_MAX], cmd[2048];
    exercise_artifact(c, w, "mutex.pb.gz", mutex_path, sizeof mutex_path);
    exercise_artifact(c, w, "mutex.txt", log2, sizeof log2);
    const char *cpu_argv[] = {r->bin, "-seconds", c->quick ? QUICK_CPU_SECONDS : CPU_SECONDS,
                              "-cpuprofile", r->profile_path, NULL};
    const char *mutex_argv[] = {r->bin, "-seconds",
                                c->quick ? QUICK_MUTEX_SECONDS : MUTEX_SECONDS,
                                "-mutexprofile", mutex_path, NULL};
    run_format_argv(cpu_argv, cmd, sizeof cmd);
    report_line(&c->rep, "  run: %s > %s", cmd, r->bench_path);
    unlink(r->profile_path);
    run_opts o = {.out_path = r->bench_path, .timeout_sec = 120};
    if (run_cmd(cpu_argv, &o, r->error, sizeof r->error) < 0) return -1;
    run_format_argv(mutex_argv, cmd, sizeof cmd);
    report_line(&c->rep, "  run: %s > %s", cmd, log2);
    unlink(mutex_path);
    o.out_path = log2;
    if (run_cmd(mutex_argv, &o, r->error, sizeof r->error) < 0) return -1;
    if (c->show_output) {
        const char *files[] = {r->bench_path, log2};
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen(files[i], "r");
            char line[1024];
            while (f && fgets(line, sizeof line, f)) fputs(line, stdout);
            if (f) fclose(f);
        }
    }
    return 0;
}

/* The mutex profile's first function by flat delay (the function that
 * called pthread_mutex_lock and waited longest in all); holds when it
 * matches k->arg. */
static int measure_mutex_top(check_ctx *c, const criterion *k, measurement *m) {
    if (exercise_run(c, k->run) < 0) {
        textf(m->error, sizeof m->error, "not measured, the %s run failed (see above)",
              k->run == RUN_BEFORE ? "before" : "yours");
        return -1;
    }
    char path[PATH_MAX], why[ERRLEN];
    exercise_artifact(c, k->run, "mutex.pb.gz", path, sizeof path);
    profile *p;
    if (profile_read_file(path, &p, why, sizeof why) < 0) {
        textf(m->error, sizeof m->error, "cannot read %s: %s", path, why);
        return -1;
    }
    int vi = profile_value_index(p, "delay");
    if (vi < 0) vi = profile_default_value_index(p);
    pf_report rep;
    int rc = profile_top(p, vi, false, &rep, m->error, sizeof m->error);
    profile_free(p);
    if (rc < 0) return -1;
    if (rep.nrows == 0 || rep.total == 0) {
        pf_report_free(&rep);
        textf(m->error, sizeof m->error, "%s recorded no contention", path);
        return -1;
    }
    bool match;
    if (stacks_name_matches(k->arg, rep.rows[0].name, &match, m->error, sizeof m->error) < 0) {
        pf_report_free(&rep);
        return -1;
    }
    m->value = match;
    textf(m->shown, sizeof m->shown, "%s (%.1f%% of %.3f s of waiting, in %s)",
          rep.rows[0].name, 100.0 * (double)rep.rows[0].flat / (double)rep.total,
          (double)rep.total / 1e9, path);
    pf_report_free(&rep);
    return 0;
}

static const criterion criteria[] = {
    {.id = "before-locks", .what = "before: lock and futex functions have cum", .run = RUN_BEFORE,
     .measure = measure_cum_pct, .arg = LOCK, .op = BOUND_AT_LEAST, .lo = 15, .unit = "%",
     .anchor = "locks-show-in-the-cpu-profile"},
    {.id = "before-mutex-top", .what = "before: the mutex profile's first site is",
     .run = RUN_BEFORE, .measure = measure_mutex_top, .arg = MAP_SITE, .op = BOUND_HOLDS,
     .bound_text = "the map's lock, cache_get or cache_put", .anchor = "the-mutex-profile"},
    {.id = "locks-gone", .what = "lock and futex functions have cum", .run = RUN_YOURS,
     .measure = measure_cum_pct, .arg = LOCK, .op = BOUND_AT_MOST, .hi = 1, .unit = "%",
     .anchor = "lock-functions-below-1"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", "-top -cum", NULL};

static const char *const points[] = {
    "the before CPU profile: pthread_mutex_lock, __lll_lock_wait, __lll_lock_wake and the "
    "unlock, with their share, and why waiting shows up as CPU at all (futex system calls, "
    "waking, cache-line traffic on the lock word)",
    "the mutex profile: cache_get first, how many contentions and how much waiting it "
    "recorded, and that it names the waiter's call site",
    "the fix: an immutable table behind an _Atomic pointer; readers do one acquire load, "
    "the writer copies, changes and publishes with a release store",
    "when the old table may be freed: only after every reader that could hold it has "
    "finished (epochs, quiescent states, or deferred freeing), and why freeing at once is a "
    "use-after-free",
    "why a pthread_rwlock is not the answer: its read side still writes a shared counter "
    "and still shows lock paths",
    "the after numbers: lock share, and lookups per second from the program's last line",
    NULL,
};

const task_def task10_def = {
    .num = 10,
    .doc = "docs/task10.md",
    .run_fn = run,
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
