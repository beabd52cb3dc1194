/* main.c: the checker's command line and its dispatch.
 *
 *   checker [--solution] taskN...   check tasks (yours, or the reference)
 *   checker [--solution] all        a progress table over all 13 tasks
 *   checker --reset taskN...        give back the untouched program
 *   checker --run taskN             what `make taskN` does: build, run under
 *                                   the profiler, print cpuprof's report
 *
 * Exit status: 0 when every criterion checked passed, 1 when one failed,
 * 2 on a usage error (one line on stderr). Run from the repository root
 * (./check does that).
 */
#include "checker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum mode { MODE_CHECK, MODE_RESET, MODE_RUN };

static void usage(void) {
    printf("usage: ./check [--solution] taskN... | ./check [--solution] all\n"
               "       ./check --reset taskN...  |  ./check --run taskN\n"
               "see docs/checker.md\n");
}

/* "task7" or "task07" -> 7; anything else -> 0. */
static int parse_task(const char *s) {
    if (strncmp(s, "task", 4) != 0) return 0;
    s += 4;
    if (!*s || strlen(s) > 2) return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    int n = atoi(s);
    return n >= 1 && n <= NTASKS ? n : 0;
}

static bool quick_mode(void) {
    const char *q = getenv("CPUPROF_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

static int mkdirs(const char *path) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Prepares c for task e; -1 with a message printed when it cannot. */
static int ctx_init(check_ctx *c, const task_entry *e, bool solution, bool quiet) {
    memset(c, 0, sizeof *c);
    c->task = e->def;
    c->num = e->num;
    snprintf(c->nn, sizeof c->nn, "%02d", e->num);
    c->solution = solution;
    c->quick = quick_mode();
    snprintf(c->task_dir, sizeof c->task_dir, "tasks/task%s", c->nn);
    if (solution)
        snprintf(c->checked_dir, sizeof c->checked_dir, "solutions/task%s", c->nn);
    else
        snprintf(c->checked_dir, sizeof c->checked_dir, "%s", c->task_dir);
    if (access(c->checked_dir, F_OK) < 0) {
        fprintf(stderr, "checker: %s does not exist\n", c->checked_dir);
        return -1;
    }
    textf(c->out_dir, sizeof c->out_dir, "%s/out", c->checked_dir);
    textf(c->notes_path, sizeof c->notes_path, "%s/NOTES.md", c->checked_dir);
    char report_path[PATH_MAX + 16];
    snprintf(report_path, sizeof report_path, "%s/report.txt", c->out_dir);
    if (mkdirs(c->out_dir) < 0 || report_open(&c->rep, report_path, quiet) < 0) {
        fprintf(stderr, "checker: cannot write %s: %s\n", report_path, strerror(errno));
        return -1;
    }
    return 0;
}

static void ctx_free(check_ctx *c) {
    for (int w = 0; w < 2; w++)
        if (c->runs[w].prof) profile_free(c->runs[w].prof);
    report_close(&c->rep);
}

/* Checks one task; returns 0 when all its criteria pass, 1 when one fails,
 * 2 when it could not start. *passed and *total count criteria. */
static int check_task(const task_entry *e, bool solution, bool quiet, int *passed, int *total) {
    check_ctx c;
    if (ctx_init(&c, e, solution, quiet) < 0) return 2;
    const task_def *t = c.task;
    report_line(&c.rep, "task %d: %s (%s)%s", e->num, e->title, t->doc,
                c.quick ? " [CPUPROF_QUICK: short runs]" : "");
    /* Make the runs first, untouched program before yours, so that the
     * criterion lines come together. */
    for (int w = RUN_BEFORE; w <= RUN_YOURS; w++)
        for (size_t i = 0; i < t->ncriteria; i++)
            if ((int)t->criteria[i].run == w ||
                (w == RUN_BEFORE && t->criteria[i].also_before)) {
                exercise_run(&c, (run_which)w);
                break;
            }
    for (size_t i = 0; i < t->ncriteria; i++) {
        const criterion *k = &t->criteria[i];
        measurement m;
        memset(&m, 0, sizeof m);
        bool pass = k->measure(&c, k, &m) == 0 && criterion_passes(k, m.value);
        report_criterion(&c.rep, &c, k, &m, pass);
        if (pass && k->measure == measure_notes) notes_print_points(&c);
    }
    *passed = c.rep.passed;
    *total = c.rep.passed + c.rep.failed;
    report_line(&c.rep, "task %d: %d of %d criteria pass; report in %s/report.txt", e->num,
                *passed, *total, c.out_dir);
    int rc = c.rep.failed ? 1 : 0;
    ctx_free(&c);
    return rc;
}

/* make taskN: build and run yours, then show cpuprof's reports. */
static int run_task(const task_entry *e) {
    check_ctx c;
    if (ctx_init(&c, e, false, false) < 0) return 2;
    c.show_output = true;
    printf("task %d: %s\n", e->num, e->title);
    if (exercise_run(&c, RUN_YOURS) < 0) {
        ctx_free(&c);
        return 1;
    }
    int rc = 0;
    for (const char *const *s = c.task->show; s && *s && rc == 0; s++) {
        char flags[256];
        const char *argv[16];
        int n = 0;
        argv[n++] = "build/bin/cpuprof";
        snprintf(flags, sizeof flags, "%s", *s);
        for (char *tok = strtok(flags, " "); tok && n < 14; tok = strtok(NULL, " "))
            argv[n++] = tok;
        argv[n++] = c.runs[RUN_YOURS].profile_path;
        argv[n] = NULL;
        char cmd[1024], err[ERRLEN];
        run_format_argv(argv, cmd, sizeof cmd);
        printf("\n$ %s\n", cmd);
        if (run_cmd(argv, NULL, err, sizeof err) < 0) {
            fprintf(stderr, "checker: %s\n", err);
            rc = 1;
        }
    }
    printf("\nnext: read %s, then run ./check task%d\n", c.task->doc, e->num);
    ctx_free(&c);
    return rc;
}

static int check_all(bool solution) {
    int rc = 0;
    printf("task  %-36s %s\n", "title", solution ? "reference solution" : "your progress");
    for (int n = 1; n <= NTASKS; n++) {
        const task_entry *e = registry_get(n);
        printf("%4d  %-36s ", n, e->title);
        fflush(stdout);
        if (!registry_available(e)) {
            printf("not available yet\n");
            continue;
        }
        int passed = 0, total = 0;
        int r = check_task(e, solution, true, &passed, &total);
        if (r == 2)
            printf("could not be checked\n");
        else
            printf("%d/%d criteria pass%s\n", passed, total, r == 0 ? "  done" : "");
        if (r) rc = 1;
    }
    printf("details: ./check taskN, or %s/taskNN/out/report.txt\n",
           solution ? "solutions" : "tasks");
    return rc;
}

int main(int argc, char **argv) {
    enum mode mode = MODE_CHECK;
    bool solution = false, all = false;
    int tasks[NTASKS], ntasks = 0;
    if (access("tasks/tasks.mk", F_OK) < 0 || access("checker", F_OK) < 0) {
        fprintf(stderr, "checker: run me from the repository root (./check does)\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int n;
        if (strcmp(a, "--solution") == 0) solution = true;
        else if (strcmp(a, "--reset") == 0) mode = MODE_RESET;
        else if (strcmp(a, "--run") == 0) mode = MODE_RUN;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "checker: unknown option '%s' (see ./check --help)\n", a);
            return 2;
        } else if (strcmp(a, "all") == 0) all = true;
        else if ((n = parse_task(a)) > 0) {
            if (ntasks < NTASKS) tasks[ntasks++] = n;
        } else {
            fprintf(stderr, "checker: unknown task '%s' (expected task1 ... task%d or all)\n", a,
                    NTASKS);
            return 2;
        }
    }
    if (all && (ntasks > 0 || mode != MODE_CHECK)) {
        fprintf(stderr, "checker: 'all' goes alone, with at most --solution\n");
        return 2;
    }
    if (all) return check_all(solution);
    if (ntasks == 0) {
        fprintf(stderr, "checker: name a task (task1 ... task%d) or all; see ./check --help\n",
                NTASKS);
        return 2;
    }
    if (mode != MODE_CHECK && solution) {
        fprintf(stderr, "checker: --solution only goes with checking\n");
        return 2;
    }
    if (mode == MODE_RUN && ntasks != 1) {
        fprintf(stderr, "checker: --run takes one task\n");
        return 2;
    }
    int rc = 0;
    for (int i = 0; i < ntasks; i++) {
        const task_entry *e = registry_get(tasks[i]);
        if (mode == MODE_RESET) {
            char msg[ERRLEN + 256];
            int r = pristine_reset(e->num, msg, sizeof msg);
            fprintf(r < 0 ? stderr : stdout, "%s%s\n", r < 0 ? "checker: " : "", msg);
            if (r < 0) rc = 1;
            continue;
        }
        if (!registry_available(e)) {
            fprintf(stderr, "checker: task %d (%s) is not available yet\n", e->num, e->title);
            rc = rc ? rc : 2;
            continue;
        }
        if (i > 0) printf("\n");
        int passed, total;
        int r = mode == MODE_RUN ? run_task(e) : check_task(e, solution, false, &passed, &total);
        if (r > rc) rc = r;
    }
    return rc;
}
