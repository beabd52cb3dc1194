/* task06.c: task 6, too many threads (docs/task06.md).
 *
 * Recipe: the benchmark program with -benchtime=1x (one op processes all
 * 100,000 items) -count=10 and -cpuprofile, on the untouched program
 * (before) and on yours. Under CPUPROF_QUICK, -count=5: an op of the
 * untouched program takes 2 to 7 s on a busy 2-core machine, and 5 runs a
 * side still let the U test reach p = 0.008, well under 0.05. The harness profiles with the process
 * timer, the one that sees short-lived threads (the guide shows why).
 *
 * The thread life-cycle share: a sample counts when, reading its stack
 * from the leaf up, the first frame that is either a life-cycle function
 * of libc (creating, starting, ending, joining a thread) or a function of
 * the program itself is a life-cycle function. So pthread_create and all
 * it calls (stack mmap/mprotect, clone3's kernel time), start_thread's own
 * set-up and tear-down (madvise of the dead stack), and pthread_join with
 * the stack frees it does, count; start_thread's calls into the program
 * (the thread's function and everything under it: the real work, a
 * pool's queue) do not, although start_thread is on those stacks too.
 */
#include "checker.h"
#include "measure_stacks.h"

#define LIFECYCLE                                                                      \
    "^(pthread_create|create_thread|__clone_internal|__clone3?|clone3?|start_thread|"   \
    "pthread_join|__pthread_join|__pthread_clockjoin_ex|pthread_exit|__pthread_exit|"   \
    "pthread_detach|allocate_stack|__nptl_[a-z_]+)(@.*)?$"
#define WORK "^process_item(\\..*)?$"

static int measure_lifecycle(check_ctx *c, const criterion *k, measurement *m) {
    int64_t hits;
    if (stacks_leafward_share(c, k->run, LIFECYCLE, &m->value, &hits, m->error,
                              sizeof m->error) < 0)
        return -1;
    textf(m->shown, sizeof m->shown, "%.1f%% (%lld of the profile's samples)", m->value,
          (long long)hits);
    return 0;
}

static const criterion criteria[] = {
    {.id = "before-lifecycle", .what = "before: the thread life cycle has", .run = RUN_BEFORE,
     .measure = measure_lifecycle, .op = BOUND_AT_LEAST, .lo = 30, .unit = "%",
     .anchor = "the-life-cycle-dominates"},
    {.id = "lifecycle-gone", .what = "the thread life cycle has", .run = RUN_YOURS,
     .measure = measure_lifecycle, .op = BOUND_AT_MOST, .hi = 5, .unit = "%",
     .anchor = "the-life-cycle-drops-below-5"},
    {.id = "work-shows", .what = "process_item has flat", .run = RUN_YOURS,
     .measure = measure_flat_pct, .arg = WORK, .op = BOUND_AT_LEAST, .lo = 60, .unit = "%",
     .anchor = "the-work-shows"},
    {.id = "significant", .what = "ProcessItems, benchstat says", .run = RUN_YOURS, .also_before = true,
     .measure = measure_bench_faster, .arg = "BenchmarkProcessItems", .op = BOUND_HOLDS,
     .bound_text = "faster by >= 20%, p < 0.05", .lo = 20, .anchor = "the-speedup"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", "-top -cum", NULL};

static const char *const points[] = {
    "the before profile: pthread_create (clone3's kernel time shows on it), start_thread's "
    "own set-up and tear-down, pthread_join and the stack frees, with their share, and "
    "process_item's small flat",
    "why: each item paid for a whole thread (a stack, a clone system call, scheduling the "
    "new thread, tearing it down, a join) to do a few microseconds of work",
    "the pool: 16 threads made once, each taking the next index with one atomic add, so a "
    "thread's cost is paid once per 6,250 items",
    "the after numbers: life-cycle share, process_item's flat, and benchstat's medians, "
    "change and p-value",
    "why the process timer and not the thread timer: a thread that lives a few "
    "microseconds never reaches its own timer's first expiry, so per-thread timers miss "
    "the workers entirely",
    NULL,
};

const task_def task06_def = {
    .num = 6,
    .doc = "docs/task06.md",
    .bench = {.filter = ".", .benchtime = "1x", .quick_benchtime = "1x", .count = 10,
              .quick_count = 5, .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
