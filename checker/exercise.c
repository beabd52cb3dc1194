/* exercise.c: builds a task's program and makes one run of it.
 *
 * Variants and where they come from:
 *   before   the untouched program (build/pristine/taskNN, see pristine.c),
 *            with the tasks/common of the same commit, built into
 *            build/tasks/pristine/taskNN;
 *   yours    tasks/taskNN, built into build/tasks/yours/taskNN;
 *   solution the untouched program with solutions/taskNN laid over it:
 *            solutions/taskNN holds only the files the fix changes or adds
 *            (plus NOTES.md and out/), so the two are copied into
 *            build/solution/taskNN, the untouched files first, then the
 *            solution's, a file of the same name replacing the task's. It
 *            links the untouched tasks/common too, and is built into
 *            build/tasks/solution/taskNN. A task whose answer is only a
 *            writeup has nothing to lay over: the untouched program runs.
 * A task with a flags_file takes more compiler flags from that file in the
 * run's own source directory (the untouched copy, tasks/taskNN, or the
 * overlaid solution), one or more lines, `#` starting a comment.
 * A run's artifacts go to the checked directory's out/: "cpu.pb.gz",
 * "bench.txt", "build.log" for yours (or the solution), the same names
 * prefixed "before." for the untouched program.
 */
#include "checker.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *exercise_artifact(const check_ctx *c, run_which w, const char *name, char *buf,
                              size_t len) {
    snprintf(buf, len, "%s/%s%s", c->out_dir, w == RUN_BEFORE ? "before." : "", name);
    return buf;
}

/* Copies every regular file of from, but NOTES.md, into the directory to
 * (made when missing). */
static int copy_files(const char *from, const char *to, char *err, size_t errlen) {
    DIR *d = opendir(from);
    if (!d) {
        textf(err, errlen, "cannot read %s: %s", from, strerror(errno));
        return -1;
    }
    mkdir(to, 0755);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        char path[PATH_MAX];
        struct stat st;
        textf(path, sizeof path, "%s/%s", from, e->d_name);
        if (e->d_name[0] == '.' || strcmp(e->d_name, "NOTES.md") == 0 ||
            stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        const char *cp[] = {"cp", "-p", path, to, NULL};
        run_opts quiet = {.quiet = true, .timeout_sec = 60};
        rc = run_cmd(cp, &quiet, err, errlen);
    }
    closedir(d);
    return rc;
}

/* Lays solutions/taskNN over the untouched task in build/solution/taskNN
 * (rewritten at every use) and names it in src. */
static int solution_overlay(check_ctx *c, char *src, size_t len, char *err, size_t errlen) {
    char sol[64];
    snprintf(sol, sizeof sol, "solutions/task%s", c->nn);
    textf(src, len, "build/solution/task%s", c->nn);
    const char *rm[] = {"rm", "-rf", src, NULL};
    run_opts quiet = {.quiet = true, .timeout_sec = 60};
    mkdir("build", 0755);
    mkdir("build/solution", 0755);
    if (run_cmd(rm, &quiet, err, errlen) < 0 ||
        copy_files(c->pristine_dir, src, err, errlen) < 0 ||
        copy_files(sol, src, err, errlen) < 0)
        return -1;
    report_line(&c->rep, "  solution: %s laid over the untouched %s in %s", sol, c->task_dir,
                src);
    return 0;
}

int exercise_source(check_ctx *c, run_which w, char *src, size_t len, char *common,
                    size_t clen, char *err, size_t errlen) {
    common[0] = '\0';
    if (w == RUN_YOURS && !c->solution) {
        snprintf(src, len, "%s", c->task_dir);
        return 0;
    }
    if (pristine_get(c) < 0) {
        snprintf(err, errlen, "%s", c->pristine_error);
        return -1;
    }
    textf(common, clen, "%s", c->pristine_common);
    if (w == RUN_YOURS) return solution_overlay(c, src, len, err, errlen);
    snprintf(src, len, "%s", c->pristine_dir);
    return 0;
}

static void print_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    fflush(stdout);
}

/* Appends the flags in dir/name (comments and line ends dropped) to buf. */
static int read_flags_file(const char *dir, const char *name, char *buf, size_t len, char *err,
                           size_t errlen) {
    char path[PATH_MAX];
    textf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        textf(err, errlen, "cannot read %s (the task's build flags)", path);
        return -1;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\r\n")] = '\0';
        char *p = line + strspn(line, " \t");
        if (!*p) continue;
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "%s%s", n ? " " : "", p);
    }
    fclose(f);
    return 0;
}

/* Builds run w's program with `make build-task`; the log goes to out/. */
static int build(check_ctx *c, run_which w, char *err, size_t errlen) {
    char src[PATH_MAX], common[PATH_MAX], outdir[PATH_MAX], log[PATH_MAX];
    const char *variant = w == RUN_BEFORE ? "pristine" : c->solution ? "solution" : "yours";
    if (exercise_source(c, w, src, sizeof src, common, sizeof common, err, errlen) < 0)
        return -1;
    snprintf(outdir, sizeof outdir, "build/tasks/%s/task%s", variant, c->nn);
    char a_src[PATH_MAX + 16], a_out[PATH_MAX + 16], a_flags[2048], a_cc[64];
    snprintf(a_src, sizeof a_src, "TASK_SRC=%s", src);
    snprintf(a_out, sizeof a_out, "TASK_OUT=%s", outdir);
    const char *extra = c->task->run_cflags[w];
    snprintf(a_flags, sizeof a_flags, "TASK_CFLAGS=%s%s%s", c->task->cflags ? c->task->cflags : "",
             c->task->cflags && extra ? " " : "", extra ? extra : "");
    if (c->task->flags_file) {
        const char *dir = src; /* the run's own copy: untouched, yours, or overlaid */
        size_t n = strlen("TASK_CFLAGS=");
        char more[1024] = "";
        if (read_flags_file(dir, c->task->flags_file, more, sizeof more, err, errlen) < 0)
            return -1;
        snprintf(a_flags + strlen(a_flags), sizeof a_flags - strlen(a_flags), "%s%s",
                 strlen(a_flags) > n && more[0] ? " " : "", more);
    }
    /* The untouched program and the solution link the tasks/common of the
     * untouched commit. */
    char a_common[PATH_MAX + 32] = "";
    if (common[0]) textf(a_common, sizeof a_common, "TASK_COMMON_DIR=%s", common);
    snprintf(a_cc, sizeof a_cc, "CC=%s", c->task->cc ? c->task->cc : "cc");
    if (c->task->cflags || extra || c->task->flags_file)
        report_line(&c->rep, "  build: %s%s%s", c->task->cc ? a_cc : "", c->task->cc ? " " : "",
                    a_flags);
    const char *argv[10] = {"make", "-s", "--no-print-directory", "build-task", a_src, a_out,
                            a_flags};
    size_t argc = 7;
    if (a_common[0]) argv[argc++] = a_common;
    if (c->task->cc) argv[argc++] = a_cc;
    argv[argc] = NULL;
    exercise_artifact(c, w, "build.log", log, sizeof log);
    run_opts o = {.out_path = log, .timeout_sec = 600};
    char why[ERRLEN];
    if (run_cmd(argv, &o, why, sizeof why) < 0) {
        textf(err, errlen, "the program in %s did not build (%s); see %s", src, why, log);
        if (!c->rep.quiet) print_file(log);
        return -1;
    }
    textf(c->runs[w].bin, sizeof c->runs[w].bin, "%s/bench", outdir);
    return 0;
}

/* The count of runs the recipe asks for; 0 leaves -count out. */
static int recipe_count(const check_ctx *c) {
    const bench_recipe *b = &c->task->bench;
    return c->quick && b->quick_count ? b->quick_count : b->count;
}

/* The common recipe's command line for run w: -bench, -benchtime, -count
 * when count > 0, -cpuprofile=prof when the recipe profiles. */
typedef struct bench_cmd {
    const char *argv[8];
    char bench[128], time[64], count[64], prof[PATH_MAX + 16];
} bench_cmd;

static void bench_cmd_make(bench_cmd *m, const check_ctx *c, run_which w, int count,
                           const char *prof) {
    const bench_recipe *b = &c->task->bench;
    int n = 0;
    m->argv[n++] = c->runs[w].bin;
    snprintf(m->bench, sizeof m->bench, "-bench=%s", b->filter ? b->filter : ".");
    m->argv[n++] = m->bench;
    const char *t = c->quick && b->quick_benchtime ? b->quick_benchtime : b->benchtime;
    if (t) {
        snprintf(m->time, sizeof m->time, "-benchtime=%s", t);
        m->argv[n++] = m->time;
    }
    if (count > 0) {
        snprintf(m->count, sizeof m->count, "-count=%d", count);
        m->argv[n++] = m->count;
    }
    if (b->profile) {
        snprintf(m->prof, sizeof m->prof, "-cpuprofile=%s", prof);
        m->argv[n++] = m->prof;
    }
    m->argv[n] = NULL;
}

/* The common recipe, one process: the benchmark program with -count=N and
 * -cpuprofile, its output saved as bench.txt. */
int exercise_run_bench(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    bench_cmd m;
    bench_cmd_make(&m, c, w, recipe_count(c), r->profile_path);
    char cmd[2048];
    run_format_argv(m.argv, cmd, sizeof cmd);
    report_line(&c->rep, "  run: %s > %s", cmd, r->bench_path);
    if (c->task->bench.profile) unlink(r->profile_path);
    run_opts o = {.out_path = r->bench_path, .timeout_sec = 600};
    int rc = run_cmd(m.argv, &o, r->error, sizeof r->error);
    if (c->show_output) print_file(r->bench_path);
    return rc;
}

/* Appends a round's output (the file from) to the file to, without the
 * profiler's "cpuprof: wrote FILE: ..." line: FILE is the round's
 * temporary profile, and in Go's format the line is a configuration line,
 * whose value changes every round, so benchstat would split the results
 * into one table per round. */
static int append_output(const char *from, const char *to, char *err, size_t errlen) {
    FILE *in = fopen(from, "r"), *out = in ? fopen(to, "a") : NULL;
    if (!out) {
        textf(err, errlen, "cannot append %s to %s: %s", from, to, strerror(errno));
        if (in) fclose(in);
        return -1;
    }
    char line[4096];
    bool at_start = true, skip = false; /* a line longer than the buffer comes in pieces */
    while (fgets(line, sizeof line, in)) {
        if (at_start) skip = strncmp(line, "cpuprof: wrote ", 15) == 0;
        if (!skip) fputs(line, out);
        at_start = strchr(line, '\n') != NULL;
    }
    int bad = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0 || bad) {
        textf(err, errlen, "cannot append %s to %s", from, to);
        return -1;
    }
    return 0;
}

/* Adds the samples of the profile in path to *sum (which it becomes when
 * *sum is NULL). libprofile has no plain merge, but profile_merge_base
 * adds its base with negated values, so negating the base first adds it
 * as it is. */
static int add_profile(profile **sum, const char *path, char *err, size_t errlen) {
    profile *p;
    char why[ERRLEN];
    if (profile_read_file(path, &p, why, sizeof why) < 0) {
        textf(err, errlen, "cannot read %s: %s", path, why);
        return -1;
    }
    if (!*sum) {
        *sum = p;
        return 0;
    }
    for (size_t i = 0; i < p->nsamples; i++)
        for (size_t j = 0; j < p->nsample_types; j++)
            p->samples[i].values[j] = -p->samples[i].values[j];
    int rc = profile_merge_base(*sum, p, false, why, sizeof why);
    if (rc < 0) textf(err, errlen, "cannot merge %s: %s", path, why);
    profile_free(p);
    return rc;
}

/* One round of run w in a pair: the program with -count=1, its output
 * appended to bench.txt and its profile added to *sum. */
static int run_round(check_ctx *c, run_which w, int round, profile **sum) {
    run_state *r = &c->runs[w];
    char out[PATH_MAX], prof[PATH_MAX];
    exercise_artifact(c, w, "bench.round.txt", out, sizeof out);
    exercise_artifact(c, w, "cpu.round.pb.gz", prof, sizeof prof);
    bench_cmd m;
    bench_cmd_make(&m, c, w, 1, prof);
    if (round == 0) {
        char cmd[2048];
        run_format_argv(m.argv, cmd, sizeof cmd);
        report_line(&c->rep, "  %s, each round: %s >> %s", w == RUN_BEFORE ? "before" : "yours",
                    cmd, r->bench_path);
        unlink(r->bench_path);
    }
    unlink(prof);
    run_opts o = {.out_path = out, .timeout_sec = 600};
    int rc = run_cmd(m.argv, &o, r->error, sizeof r->error);
    char why[ERRLEN];
    if (append_output(out, r->bench_path, why, sizeof why) < 0 && rc == 0) {
        textf(r->error, sizeof r->error, "%s", why);
        rc = -1;
    }
    if (c->show_output) print_file(out);
    unlink(out);
    if (rc == 0 && c->task->bench.profile)
        rc = add_profile(sum, prof, r->error, sizeof r->error);
    unlink(prof);
    if (rc < 0) textf(r->error + strlen(r->error), sizeof r->error - strlen(r->error),
                      " (round %d)", round + 1);
    return rc;
}

/* Marks run w attempted, names its artifacts and builds its program. */
static int prepare(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    r->attempted = true;
    exercise_artifact(c, w, "cpu.pb.gz", r->profile_path, sizeof r->profile_path);
    exercise_artifact(c, w, "bench.txt", r->bench_path, sizeof r->bench_path);
    report_line(&c->rep, "%s: building and running %s", w == RUN_BEFORE ? "before" : "yours",
                w == RUN_BEFORE ? "the untouched program"
                : c->solution   ? "the reference solution"
                                : "your program");
    if (build(c, w, r->error, sizeof r->error) < 0) {
        report_line(&c->rep, "  %s", r->error);
        return -1;
    }
    return 0;
}

static int finish(check_ctx *c, run_which w, int rc) {
    if (rc < 0) {
        report_line(&c->rep, "  the run failed: %s", c->runs[w].error);
        return -1;
    }
    c->runs[w].ok = true;
    return 0;
}

/* Both runs of the common recipe, interleaved: N rounds (N the recipe's
 * count), each running before then yours once with -count=1, so that a
 * change in the machine's load falls on both alike. Each side's output
 * accumulates in its bench.txt and its rounds' profiles are added into
 * its cpu.pb.gz, so the artifacts cover the same work as one -count=N
 * process would. A side that fails a round stops; the other goes on. When
 * one program does not build, the other runs alone in one process. */
static void run_pair(check_ctx *c) {
    bool built[2];
    for (int w = RUN_BEFORE; w <= RUN_YOURS; w++) built[w] = prepare(c, (run_which)w) == 0;
    if (!built[RUN_BEFORE] || !built[RUN_YOURS]) {
        for (int w = RUN_BEFORE; w <= RUN_YOURS; w++)
            if (built[w]) finish(c, (run_which)w, exercise_run_bench(c, (run_which)w));
        return;
    }
    int rounds = recipe_count(c) > 0 ? recipe_count(c) : 1;
    report_line(&c->rep, "before and yours: %d round%s, one run of each in turn", rounds,
                rounds == 1 ? "" : "s");
    profile *sum[2] = {NULL, NULL};
    int rc[2] = {0, 0};
    for (int i = 0; i < rounds; i++)
        for (int w = RUN_BEFORE; w <= RUN_YOURS; w++)
            if (rc[w] == 0) rc[w] = run_round(c, (run_which)w, i, &sum[w]);
    for (int w = RUN_BEFORE; w <= RUN_YOURS; w++) {
        run_state *r = &c->runs[w];
        char why[ERRLEN];
        if (c->task->bench.profile) unlink(r->profile_path);
        if (rc[w] == 0 && sum[w] && profile_write_file(sum[w], r->profile_path, why, sizeof why) < 0) {
            textf(r->error, sizeof r->error, "cannot write %s: %s", r->profile_path, why);
            rc[w] = -1;
        }
        if (sum[w]) profile_free(sum[w]);
        finish(c, (run_which)w, rc[w]);
    }
}

/* True when the task runs the common recipe and a criterion compares the
 * two runs: its runs are then made as a pair. */
static bool compares(const task_def *t) {
    if (t->run_fn) return false;
    for (size_t i = 0; i < t->ncriteria; i++)
        if (t->criteria[i].also_before) return true;
    return false;
}

/* The untouched program runs only to be compared with yours (main.c asks
 * for it first), so asking for it on a comparing task makes both runs;
 * asking for yours alone (make taskN) makes yours alone. */
int exercise_run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    if (r->attempted) return r->ok ? 0 : -1;
    if (w == RUN_BEFORE && compares(c->task) && !c->runs[RUN_YOURS].attempted) {
        run_pair(c);
        return r->ok ? 0 : -1;
    }
    if (prepare(c, w) < 0) return -1;
    return finish(c, w, c->task->run_fn ? c->task->run_fn(c, w) : exercise_run_bench(c, w));
}
