/* task13.c: task 13, a CPU regression gate in CI (docs/task13.md).
 *
 * Recipe (run_fn): the gate script of the checked directory
 * (tasks/task13/gate.sh, or solutions/task13/gate.sh with --solution) is
 * run twice, as a CI job runs it, from the repository root:
 *   same     on the tree as it is (GATE_CFLAGS empty): a gate must pass;
 *   regress  with GATE_CFLAGS=-DTASK13_REGRESS, which makes crc32_ieee
 *            do 25% more work in the current build only: a gate must fail
 *            and name CRC32.
 * GATE_OUT is out/gate-same and out/gate-regress; each run's output goes
 * to out/gate-same.txt and out/gate-regress.txt. CPUPROF_QUICK is passed
 * on (the gate then runs 6 rounds instead of 10).
 *
 * The criteria judge effects only: the exit statuses, a line naming
 * CRC32 as regressed (it holds "CRC32" and, in any case, "regress"), and
 * how many runs of each benchmark the gate left in its base.txt and
 * new.txt. A gate that fails for another reason (too few runs, a build
 * error) does not pass the regression criterion, even though its output
 * may list CRC32. How the learner's step 3 compares is free.
 *
 * Invariant: both gate runs are made by this invocation, unchanged first,
 * each into a GATE_OUT emptied beforehand; their exit statuses live in
 * gate_rc until the criteria read them.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchstat.h"
#include "checker.h"

#define GATE_TIMEOUT_S 900
#define REGRESSED_NAME "CRC32"

enum { GATE_SAME, GATE_REGRESS, NGATES };

static const char *const gate_name[NGATES] = {"same", "regress"};
static const char *const gate_cflags[NGATES] = {"", "-DTASK13_REGRESS"};

/* Exit status of each gate run; -1 while not run or when it did not exit. */
static int gate_rc[NGATES] = {-1, -1};
static char gate_err[NGATES][ERRLEN];

static const char *const benchmarks[] = {"CRC32", "Base64Encode", "UTF8Count"};
#define NBENCH (sizeof benchmarks / sizeof benchmarks[0])

/* Waits for pid up to timeout_s; *code is its exit status. -1 with err
 * set when it was killed by a signal or ran past the limit. */
static int wait_exit(pid_t pid, int timeout_s, int *code, char *err, size_t errlen) {
    struct timespec nap = {0, 50 * 1000 * 1000};
    time_t start = time(NULL);
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            textf(err, errlen, "waiting for the gate: %s", strerror(errno));
            return -1;
        }
        if (r == 0 && time(NULL) - start >= timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            textf(err, errlen, "the gate ran past %d s and was killed", timeout_s);
            return -1;
        }
        nanosleep(&nap, NULL);
    }
    if (WIFEXITED(status)) {
        *code = WEXITSTATUS(status);
        return 0;
    }
    textf(err, errlen, "the gate was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
}

static void print_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    fflush(stdout);
}

static void gate_paths(check_ctx *c, int g, char *out_dir, size_t dlen, char *log, size_t llen) {
    textf(out_dir, dlen, "%s/gate-%s", c->out_dir, gate_name[g]);
    textf(log, llen, "%s/gate-%s.txt", c->out_dir, gate_name[g]);
}

static void run_gate(check_ctx *c, int g) {
    char script[PATH_MAX], out_dir[PATH_MAX], log[PATH_MAX];
    char e_out[PATH_MAX + 16], e_flags[64], cmd[PATH_MAX * 2];
    textf(script, sizeof script, "%s/gate.sh", c->checked_dir);
    gate_paths(c, g, out_dir, sizeof out_dir, log, sizeof log);
    textf(e_out, sizeof e_out, "GATE_OUT=%s", out_dir);
    textf(e_flags, sizeof e_flags, "GATE_CFLAGS=%s", gate_cflags[g]);
    /* A script that lost its execute bit still runs, with sh. */
    const char *direct[] = {script, NULL}, *with_sh[] = {"sh", script, NULL};
    const char *const *argv = access(script, X_OK) == 0 ? direct : with_sh;
    const char *env[] = {e_out, e_flags, NULL};
    textf(cmd, sizeof cmd, "%s %s %s", e_out, e_flags, script);
    report_line(&c->rep, "  gate (%s): %s > %s", gate_name[g], cmd, log);
    gate_rc[g] = -1;
    gate_err[g][0] = '\0';
    if (access(script, F_OK) < 0) {
        textf(gate_err[g], sizeof gate_err[g], "%s does not exist", script);
        return;
    }
    /* Results of an earlier check must not count for this one. */
    const char *rm[] = {"rm", "-rf", out_dir, NULL};
    if (run_cmd(rm, NULL, gate_err[g], sizeof gate_err[g]) < 0) return;
    run_opts o = {.out_path = log, .env = env};
    pid_t pid = run_spawn(argv, &o, gate_err[g], sizeof gate_err[g]);
    int code;
    if (pid > 0 && wait_exit(pid, GATE_TIMEOUT_S, &code, gate_err[g], sizeof gate_err[g]) == 0)
        gate_rc[g] = code;
    if (gate_rc[g] >= 0)
        report_line(&c->rep, "  gate (%s): exit status %d", gate_name[g], gate_rc[g]);
    else
        report_line(&c->rep, "  gate (%s): %s", gate_name[g], gate_err[g]);
    if (c->show_output) print_file(log);
}

static int run(check_ctx *c, run_which w) {
    (void)w;
    for (int g = 0; g < NGATES; g++) run_gate(c, g);
    return 0;
}

/* The first line of path containing want (case-sensitive), trimmed, or
 * with prefer set, the first such line that also contains prefer. */
static bool find_line(const char *path, const char *want, const char *prefer, char *buf,
                      size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024];
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        if (!strstr(line, want)) continue;
        bool preferred = prefer && strstr(line, prefer);
        if (found && !preferred) continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        textf(buf, len, "%s", s);
        found = true;
        if (preferred || !prefer) break;
    }
    fclose(f);
    return found;
}

/* The gate run g must have exited; fills m->error otherwise. */
static int gate_ran(check_ctx *c, int g, measurement *m) {
    if (exercise_run(c, RUN_YOURS) < 0 && gate_rc[g] < 0 && !gate_err[g][0]) {
        textf(m->error, sizeof m->error, "not measured, the run failed (see above)");
        return -1;
    }
    if (gate_rc[g] < 0) {
        textf(m->error, sizeof m->error, "not measured: %s", gate_err[g]);
        return -1;
    }
    return 0;
}

/* Result lines of benchmark name ("CRC32" matches "BenchmarkCRC32-2") in
 * path; -1 when the file cannot be read. */
static int count_runs(const char *path, const char *name) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[4096];
    int n = 0;
    size_t len = strlen(name);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        bs_line l;
        if (bs_parse_line(line, &l) != BS_LINE_RESULT) continue;
        if (strncmp(l.name, name, len) == 0 && (l.name[len] == '\0' || l.name[len] == '-')) n++;
    }
    fclose(f);
    return n;
}

static int measure_runs(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    if (gate_ran(c, GATE_SAME, m) < 0) return -1;
    char dir[PATH_MAX], log[PATH_MAX], path[PATH_MAX + 16];
    gate_paths(c, GATE_SAME, dir, sizeof dir, log, sizeof log);
    const char *files[] = {"base.txt", "new.txt"};
    int least = -1;
    const char *least_name = "", *least_file = "";
    for (size_t f = 0; f < 2; f++) {
        textf(path, sizeof path, "%s/%s", dir, files[f]);
        for (size_t b = 0; b < NBENCH; b++) {
            int n = count_runs(path, benchmarks[b]);
            if (n < 0) {
                textf(m->error, sizeof m->error, "left no %s (steps 1 and 2 write their "
                      "results under GATE_OUT)", path);
                return -1;
            }
            if (least < 0 || n < least) {
                least = n;
                least_name = benchmarks[b];
                least_file = files[f];
            }
        }
    }
    int want = c->quick ? 6 : 10;
    m->value = least >= want;
    if (m->value)
        textf(m->shown, sizeof m->shown, "measured each of its %zu benchmarks at least %d "
              "times a side (%s/{base,new}.txt)", NBENCH, least, dir);
    else
        textf(m->shown, sizeof m->shown, "measured %s only %d times in %s/%s", least_name,
              least, dir, least_file);
    return 0;
}

static int measure_same(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    if (gate_ran(c, GATE_SAME, m) < 0) return -1;
    char dir[PATH_MAX], log[PATH_MAX], line[300];
    gate_paths(c, GATE_SAME, dir, sizeof dir, log, sizeof log);
    m->value = gate_rc[GATE_SAME] == 0;
    if (m->value)
        textf(m->shown, sizeof m->shown, "exits 0 (%s)", log);
    else if (find_line(log, "REGRESS", NULL, line, sizeof line) ||
             find_line(log, "FAIL", NULL, line, sizeof line))
        textf(m->shown, sizeof m->shown, "exits %d: \"%s\" (%s)", gate_rc[GATE_SAME], line, log);
    else
        textf(m->shown, sizeof m->shown, "exits %d (%s)", gate_rc[GATE_SAME], log);
    return 0;
}

/* The first line of path with name and, in any case, "regress" (REGRESSED,
 * regression, regressed), trimmed: the line that says name regressed. */
static bool find_regressed(const char *path, const char *name, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (!strstr(line, name) || !strcasestr(line, "regress")) continue;
        line[strcspn(line, "\r\n")] = '\0';
        textf(buf, len, "%s", line + strspn(line, " \t"));
        found = true;
    }
    fclose(f);
    return found;
}

static int measure_regress(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    if (gate_ran(c, GATE_REGRESS, m) < 0) return -1;
    char dir[PATH_MAX], log[PATH_MAX], line[300];
    gate_paths(c, GATE_REGRESS, dir, sizeof dir, log, sizeof log);
    int rc = gate_rc[GATE_REGRESS];
    bool named = find_regressed(log, REGRESSED_NAME, line, sizeof line);
    m->value = rc != 0 && named;
    if (rc == 0)
        textf(m->shown, sizeof m->shown, "exits 0: the regression went through (%s)", log);
    else if (!named && (find_line(log, "gate:", NULL, line, sizeof line) ||
                        find_line(log, REGRESSED_NAME, NULL, line, sizeof line)))
        textf(m->shown, sizeof m->shown,
              "exits %d, but no line names %s as regressed; it printed \"%s\" (%s)", rc,
              REGRESSED_NAME, line, log);
    else if (!named)
        textf(m->shown, sizeof m->shown, "exits %d, but no line names %s as regressed (%s)", rc,
              REGRESSED_NAME, log);
    else
        textf(m->shown, sizeof m->shown, "exits %d, naming %s as regressed: \"%s\"", rc,
              REGRESSED_NAME, line);
    return 0;
}

static const criterion criteria[] = {
    {.id = "runs", .what = "the gate", .run = RUN_YOURS, .measure = measure_runs,
     .op = BOUND_HOLDS, .bound_text = "at least 10 runs a side, 6 under CPUPROF_QUICK",
     .anchor = "the-gate-measures-enough-runs"},
    {.id = "unchanged-passes", .what = "on the unchanged tree the gate", .run = RUN_YOURS,
     .measure = measure_same, .op = BOUND_HOLDS, .bound_text = "exit 0",
     .anchor = "an-unchanged-tree-passes"},
    {.id = "regression-fails", .what = "with -DTASK13_REGRESS the gate", .run = RUN_YOURS,
     .measure = measure_regress, .op = BOUND_HOLDS,
     .bound_text = "a non-zero exit and a line with " REGRESSED_NAME " and \"regress\"",
     .anchor = "a-regression-fails-the-build"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const points[] = {
    "the two verdicts: the unchanged tree passed (every change small, p large), the "
    "regressed build failed naming CRC32 with about +25% CPU time per op and p=0.000 at "
    "n=10+10 (0.002 at 6+6)",
    "why both conditions: p < 0.05 alone fails on real but harmless 1% changes that many "
    "quiet runs make significant; a 5% threshold alone fails on noise; together a change "
    "must be both large and consistent",
    "why the baseline is built and measured in the same job, alternating with the current "
    "build: a baseline file from another day, machine or load measures the machine, not "
    "the code",
    "why CPU time per op: on a shared runner the wall clock also counts the time other "
    "programs held the CPU and moved by tens of percent between runs, the thread's CPU "
    "time by one or two",
    "what the gate cannot see: changes under 5%, several small regressions adding up over "
    "many merges, code the benchmarks do not exercise",
    NULL,
};

const task_def task13_def = {
    .num = 13,
    .doc = "docs/task13.md",
    .run_fn = run,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
