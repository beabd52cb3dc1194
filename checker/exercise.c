/* exercise.c: builds a task's program and makes one run of it.
 *
 * Variants and where they come from:
 *   before   the untouched program (build/pristine/taskNN, see pristine.c),
 *            built into build/tasks/pristine/taskNN;
 *   yours    tasks/taskNN, built into build/tasks/yours/taskNN;
 *   solution solutions/taskNN when it holds code, else the untouched
 *            program (tasks whose answer is only a writeup), built into
 *            build/tasks/solution/taskNN.
 * A run's artifacts go to the checked directory's out/: "cpu.pb.gz",
 * "bench.txt", "build.log" for yours (or the solution), the same names
 * prefixed "before." for the untouched program.
 */
#include "checker.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *exercise_artifact(const check_ctx *c, run_which w, const char *name, char *buf,
                              size_t len) {
    snprintf(buf, len, "%s/%s%s", c->out_dir, w == RUN_BEFORE ? "before." : "", name);
    return buf;
}

static bool has_c_files(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        found = n > 2 && strcmp(e->d_name + n - 2, ".c") == 0;
    }
    closedir(d);
    return found;
}

/* The source directory of run w and the variant's name. */
static int source_of(check_ctx *c, run_which w, char *src, size_t len, const char **variant,
                     char *err, size_t errlen) {
    char sol[64];
    snprintf(sol, sizeof sol, "solutions/task%s", c->nn);
    if (w == RUN_YOURS && !c->solution) {
        *variant = "yours";
        snprintf(src, len, "%s", c->task_dir);
        return 0;
    }
    *variant = w == RUN_BEFORE ? "pristine" : "solution";
    if (w == RUN_YOURS && has_c_files(sol)) {
        snprintf(src, len, "%s", sol);
        return 0;
    }
    if (pristine_get(c) < 0) {
        snprintf(err, errlen, "%s", c->pristine_error);
        return -1;
    }
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

/* Builds run w's program with `make build-task`; the log goes to out/. */
static int build(check_ctx *c, run_which w, char *err, size_t errlen) {
    char src[PATH_MAX], outdir[PATH_MAX], log[PATH_MAX];
    const char *variant;
    if (source_of(c, w, src, sizeof src, &variant, err, errlen) < 0) return -1;
    snprintf(outdir, sizeof outdir, "build/tasks/%s/task%s", variant, c->nn);
    char a_src[PATH_MAX + 16], a_out[PATH_MAX + 16], a_flags[512];
    snprintf(a_src, sizeof a_src, "TASK_SRC=%s", src);
    snprintf(a_out, sizeof a_out, "TASK_OUT=%s", outdir);
    const char *extra = c->task->run_cflags[w];
    snprintf(a_flags, sizeof a_flags, "TASK_CFLAGS=%s%s%s", c->task->cflags ? c->task->cflags : "",
             c->task->cflags && extra ? " " : "", extra ? extra : "");
    if (c->task->cflags || extra) report_line(&c->rep, "  build: %s", a_flags);
    const char *argv[] = {"make", "-s", "--no-print-directory", "build-task", a_src, a_out,
                          a_flags, NULL};
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

/* The common recipe: the benchmark program with -bench, -benchtime,
 * -count and -cpuprofile, its output saved as bench.txt. */
int exercise_run_bench(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    const bench_recipe *b = &c->task->bench;
    char a_bench[128], a_time[64], a_count[64], a_prof[PATH_MAX + 16];
    const char *argv[8];
    int n = 0;
    argv[n++] = r->bin;
    snprintf(a_bench, sizeof a_bench, "-bench=%s", b->filter ? b->filter : ".");
    argv[n++] = a_bench;
    const char *t = c->quick && b->quick_benchtime ? b->quick_benchtime : b->benchtime;
    if (t) {
        snprintf(a_time, sizeof a_time, "-benchtime=%s", t);
        argv[n++] = a_time;
    }
    int count = c->quick && b->quick_count ? b->quick_count : b->count;
    if (count > 0) {
        snprintf(a_count, sizeof a_count, "-count=%d", count);
        argv[n++] = a_count;
    }
    if (b->profile) {
        snprintf(a_prof, sizeof a_prof, "-cpuprofile=%s", r->profile_path);
        argv[n++] = a_prof;
    }
    argv[n] = NULL;
    char cmd[2048];
    run_format_argv(argv, cmd, sizeof cmd);
    report_line(&c->rep, "  run: %s > %s", cmd, r->bench_path);
    if (b->profile) unlink(r->profile_path);
    run_opts o = {.out_path = r->bench_path, .timeout_sec = 600};
    int rc = run_cmd(argv, &o, r->error, sizeof r->error);
    if (c->show_output) print_file(r->bench_path);
    return rc;
}

int exercise_run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    if (r->attempted) return r->ok ? 0 : -1;
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
    int rc = c->task->run_fn ? c->task->run_fn(c, w) : exercise_run_bench(c, w);
    if (rc < 0) {
        report_line(&c->rep, "  the run failed: %s", r->error);
        return -1;
    }
    r->ok = true;
    return 0;
}
