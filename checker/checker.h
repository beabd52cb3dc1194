/* checker.h: the checker's shared types and the functions each of its files
 * provides.
 *
 * A task is one table (checker/taskNN.c): how to build and run its program,
 * and its criteria. A criterion names the run it is measured on (the
 * untouched program "before", or "yours": the learner's program or, with
 * --solution, the reference), a measure function, and a bound. main.c walks
 * the table: it makes the runs the criteria need, measures, and prints one
 * PASS/FAIL line per criterion.
 *
 * Invariant: every number printed comes from a run made by this invocation;
 * artifacts of that run stay in the task's out/ directory.
 */
#ifndef CHECKER_H
#define CHECKER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "profile.h"

#define NTASKS 13
#define ERRLEN 512

typedef enum run_which {
    RUN_NONE = -1,  /* measured on files only (the writeup) */
    RUN_BEFORE = 0, /* the untouched program */
    RUN_YOURS = 1,  /* the learner's program, or the solution's */
} run_which;

typedef enum bound_op {
    BOUND_AT_LEAST, /* value >= lo */
    BOUND_AT_MOST,  /* value <= hi */
    BOUND_BETWEEN,  /* lo <= value <= hi */
    BOUND_HOLDS,    /* value != 0; the bound is described by bound_text */
} bound_op;

struct check_ctx;
struct criterion;

/* What a measure found: a value, optionally a text shown instead of the
 * formatted value, or an error (the criterion then fails). */
typedef struct measurement {
    double value;
    char shown[400];
    char error[ERRLEN];
} measurement;

/* Returns 0 with m->value set, or -1 with m->error set. */
typedef int (*measure_fn)(struct check_ctx *c, const struct criterion *k, measurement *m);

typedef struct criterion {
    const char *id;         /* short stable name */
    const char *what;       /* the quantity as printed: "sum has flat" */
    run_which run;          /* the run it is measured on */
    bool also_before;       /* compares with the untouched program's run */
    measure_fn measure;
    const char *arg;        /* for the measure, usually a function-name regex */
    bound_op op;
    double lo, hi;
    const char *unit;       /* "%", " points", " lines", " samples" */
    const char *bound_text; /* for BOUND_HOLDS */
    const char *anchor;     /* section of the task's doc */
} criterion;

/* The common recipe: run the benchmark program with -bench and, when
 * profile is set, -cpuprofile. Durations shrink under CPUPROF_QUICK=1. */
typedef struct bench_recipe {
    const char *filter;          /* -bench= regex */
    const char *benchtime;       /* -benchtime= */
    const char *quick_benchtime; /* -benchtime= under CPUPROF_QUICK */
    int count, quick_count;      /* -count=; 0 leaves it out */
    bool profile;
} bench_recipe;

typedef struct task_def {
    int num;
    const char *doc;    /* "docs/task01.md" */
    const char *cflags; /* extra compiler flags for the program, or NULL */
    /* Extra flags for one run only, after cflags, indexed by run_which
     * (task 9 builds the same code twice: as shipped, and -fno-inline). */
    const char *run_cflags[2];
    /* The compiler for the program ("clang"), or NULL for make's default. */
    const char *cc;
    /* A file of compiler flags in the run's own directory (the untouched
     * copy for before, the checked directory for yours), appended after
     * the flags above: the learner's build step (task 11), or NULL. */
    const char *flags_file;
    bench_recipe bench; /* how a run is made, unless run_fn is set */
    /* A custom recipe (servers, load): makes the artifacts of run w in the
     * out directory, 0 on success, -1 with the run's error set. */
    int (*run_fn)(struct check_ctx *c, run_which w);
    const char *const *show; /* cpuprof flags make taskN prints, one string
                                per report ("-top", "-top -cum"), NULL-ended */
    const criterion *criteria;
    size_t ncriteria;
    const char *const *notes_points; /* what a good writeup covers, NULL-ended */
} task_def;

typedef struct run_state {
    bool attempted, ok;
    char error[ERRLEN];
    char bin[PATH_MAX];          /* the built program */
    char profile_path[PATH_MAX]; /* out/[before.]cpu.pb.gz */
    char bench_path[PATH_MAX];   /* out/[before.]bench.txt */
    profile *prof;               /* loaded on first use */
    bool prof_tried;
    char prof_error[ERRLEN];
} run_state;

typedef struct report {
    FILE *file;  /* out/report.txt, or NULL */
    bool quiet;  /* lines go to the file only */
    int passed, failed;
} report;

typedef struct check_ctx {
    const task_def *task;
    int num;
    char nn[3];                  /* "01" */
    bool solution;               /* --solution */
    bool quick;                  /* CPUPROF_QUICK */
    bool show_output;            /* --run: print the program's output */
    char task_dir[PATH_MAX];     /* tasks/taskNN */
    char checked_dir[PATH_MAX];  /* tasks/taskNN or solutions/taskNN */
    char out_dir[PATH_MAX];      /* checked_dir/out */
    char notes_path[PATH_MAX];   /* checked_dir/NOTES.md */
    char pristine_dir[PATH_MAX]; /* build/pristine/taskNN once extracted */
    char pristine_common[PATH_MAX]; /* its tasks/common: build/pristine/taskNN-common */
    bool pristine_tried, pristine_ok;
    char pristine_error[ERRLEN];
    run_state runs[2];
    report rep;
} check_ctx;

/* registry.c */
typedef struct task_entry {
    int num;
    const char *title;
    const task_def *def; /* NULL until checker/taskNN.c exists */
} task_entry;
const task_entry *registry_get(int num);      /* 1..NTASKS, else NULL */
bool registry_available(const task_entry *e); /* definition and tasks/taskNN */

/* run.c: processes with fork/exec, never a shell. */
typedef struct run_opts {
    const char *out_path;   /* stdout and stderr go here; NULL: inherited */
    bool quiet;             /* with out_path NULL: discard output */
    int timeout_sec;        /* 0: no limit */
    const char *const *env; /* extra "NAME=value" strings, NULL-ended */
} run_opts;
int run_cmd(const char *const argv[], const run_opts *o, char *err, size_t errlen);
int run_capture(const char *const argv[], char *buf, size_t len, char *err, size_t errlen);
pid_t run_spawn(const char *const argv[], const run_opts *o, char *err, size_t errlen);
int run_wait(pid_t pid, const char *name, int timeout_sec, char *err, size_t errlen);
void run_stop(pid_t pid);
void run_format_argv(const char *const argv[], char *buf, size_t len);

/* pristine.c: the untouched exercises, from git. */
int pristine_get(check_ctx *c);              /* fills c->pristine_dir */
int pristine_reset(int num, char *msg, size_t msglen);

/* exercise.c: building the program and making a run. */
int exercise_run(check_ctx *c, run_which w);
/* The source directory run w builds from, and the tasks/common it links
 * (empty: the working tree's); the solution's is assembled first. */
int exercise_source(check_ctx *c, run_which w, char *src, size_t len, char *common,
                    size_t clen, char *err, size_t errlen);
const char *exercise_artifact(const check_ctx *c, run_which w, const char *name, char *buf,
                              size_t len);
int exercise_run_bench(check_ctx *c, run_which w);

/* measure.c: numbers from a run's profile. */
int measure_load(check_ctx *c, run_which w, profile **out, char *err, size_t errlen);
int measure_shares(check_ctx *c, run_which w, const char *regex, double *flat_pct,
                   double *cum_pct, char *err, size_t errlen);
int measure_profile_samples(check_ctx *c, const criterion *k, measurement *m);
int measure_flat_pct(check_ctx *c, const criterion *k, measurement *m);
int measure_cum_pct(check_ctx *c, const criterion *k, measurement *m);
int measure_cum_minus_flat(check_ctx *c, const criterion *k, measurement *m);

/* measure_bench.c: benchmark criteria, before against yours, computed
 * with benchstat's own code (libbenchstat); the criteria set
 * .also_before. bench_values reads, with libbenchstat's reader, the values
 * in unit of benchmark name ("BenchmarkX" or "X", with or without "-P")
 * from path, in file order; units are benchstat's tidied ones (ns/op is
 * read as sec/op, in seconds). */
int bench_values(const char *path, const char *name, const char *unit, double *vals, int max,
                 int *n, char *err, size_t errlen);
/* Holds when yours is faster with p < 0.05 (Mann-Whitney U on sec/op),
 * its median at least k->lo percent below before's (0: by any amount). */
int measure_bench_faster(check_ctx *c, const criterion *k, measurement *m);
/* Median sec/op before divided by median sec/op yours: 12.0x means yours
 * is twelve times faster. */
int measure_speedup(check_ctx *c, const criterion *k, measurement *m);

/* measure_diff.c: yours minus before (pprof -base), in percent of the
 * before total; k->arg is the regex of the site the fix removes. */
int measure_diff_site_cum(check_ctx *c, const criterion *k, measurement *m);
int measure_diff_others(check_ctx *c, const criterion *k, measurement *m);

/* notes.c: the writeup criteria. */
int notes_answer_lines(const char *path, int *lines, char *err, size_t errlen);
int measure_notes(check_ctx *c, const criterion *k, measurement *m);
void notes_print_points(check_ctx *c);

/* report.c: printing. textf formats like snprintf into a message or path
 * buffer, cutting what does not fit (paths here are short and relative). */
void textf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int report_open(report *r, const char *path, bool quiet);
void report_close(report *r);
void report_line(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool criterion_passes(const criterion *k, double value);
void criterion_bound_text(const criterion *k, char *buf, size_t len);
void report_criterion(report *r, const check_ctx *c, const criterion *k, const measurement *m,
                      bool pass);

#endif
