/* profbench_main.c: `profbench`, the program behind `make bench`.
 *
 *   profbench [-bindir=DIR] [-lib=PATH] [-gperf=PATH] [-out=DIR] [-reps=N]
 *             [-scale=X] [-pin=CPU] [-only=overhead,onoff,accuracy,threads,rate]
 *   profbench -gperf-top=FILE
 *
 * Describes the machine, calibrates the work unit (a no-profiler run of
 * work_spin), then runs the four experiments (exp_*.c), printing their
 * tables and writing them to OUT/summary.txt, every child run to
 * OUT/raw.tsv, the children's stderr to OUT/children.log and every profile
 * to OUT/profiles/. -scale shrinks all durations (the smoke test uses it);
 * -gperf-top=FILE only converts one gperftools profile and prints its
 * total and flat sample counts per function (to check the reader);
 * -reps sets the rounds of the overhead experiment (at least 6, so that a
 * 95% interval of the median exists).
 *
 * Invariants: a bad flag or a missing program or library is one line on
 * stderr and exit 2; a failed experiment is reported, the others still
 * run, and the exit status is 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "profbench.h"

#define CALIBRATE_UNITS "30000"

double pb_units_per_sec;

#define MAX_VERDICTS 32
static char verdicts[MAX_VERDICTS][256];
static int nverdicts;

void pb_verdict(const pb_config *c, const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pb_say(c, "%s\n", line);
    if (nverdicts < MAX_VERDICTS) snprintf(verdicts[nverdicts++], sizeof verdicts[0], "%s", line);
}

static int usage(const char *msg) {
    fprintf(stderr, "profbench: %s\n", msg);
    fprintf(stderr, "usage: profbench [-bindir=DIR] [-lib=PATH] [-gperf=PATH] [-out=DIR] "
                    "[-reps=N] [-scale=X] [-pin=CPU] [-only=LIST]\n"
                    "       profbench -gperf-top=FILE\n");
    return 2;
}

static int mkdir_p(const char *dir) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void cpu_model(char *out, size_t len) {
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        char *v = strchr(line, ':');
        if (!v) continue;
        v += 1 + (v[1] == ' ');
        v[strcspn(v, "\n")] = '\0';
        snprintf(out, len, "%s", v);
        break;
    }
    fclose(f);
}

static void loadavg(char *out, size_t len) {
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return;
    if (fgets(out, (int)len, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

/* -gperf-top=FILE: the converted profile's flat samples per function. */
static int gperf_top(const char *path) {
    char err[512];
    profile *p;
    if (gperf_profile_read(path, &p, err, sizeof err) != 0) {
        fprintf(stderr, "profbench: %s\n", err);
        return 1;
    }
    pf_report rep;
    if (profile_top(p, profile_value_index(p, "samples"), false, &rep, err, sizeof err) != 0) {
        fprintf(stderr, "profbench: %s\n", err);
        profile_free(p);
        return 1;
    }
    printf("total %lld\n", (long long)rep.total);
    for (size_t i = 0; i < rep.nrows; i++)
        if (rep.rows[i].flat) printf("%lld %s\n", (long long)rep.rows[i].flat, rep.rows[i].name);
    pf_report_free(&rep);
    profile_free(p);
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static int calibrate(pb_config *c, char *err, size_t errlen) {
    const char *args[] = {CALIBRATE_UNITS, NULL};
    double best = 0;
    for (int i = 0; i < 3; i++) {
        pb_run run;
        if (pb_run_child(c, PB_NONE, 100, c->pin_cpu, "calibrate", "work_spin", args, &run, err,
                         errlen))
            return -1;
        int64_t ns = pb_out_int(run.out, "loop_cpu_ns");
        if (ns <= 0) {
            snprintf(err, errlen, "work_spin printed no loop_cpu_ns: \"%.200s\"", run.out);
            return -1;
        }
        double ups = atof(CALIBRATE_UNITS) / ((double)ns / 1e9);
        if (ups > best) best = ups;
        pb_raw(c, "calibrate", PB_NONE, 0, i, &run, NULL);
    }
    pb_units_per_sec = best;
    return 0;
}

int main(int argc, char **argv) {
    pb_config c;
    memset(&c, 0, sizeof c);
    c.bindir = "build/bench/bin";
    c.libcpuprof = "build/lib/libcpuprof.so";
    c.libgperf = "/usr/lib/x86_64-linux-gnu/libprofiler.so";
    c.outdir = "build/bench";
    c.reps = 9;
    c.scale = 1.0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c.pin_cpu = ncpu > 1 ? (int)ncpu - 1 : 0;
    const char *only = "overhead,onoff,accuracy,threads,rate";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        if (a[0] != '-' || !eq || eq[1] == '\0') {
            char m[256];
            snprintf(m, sizeof m, "bad argument %s (flags are -name=value)", a);
            return usage(m);
        }
        const char *v = eq + 1;
        size_t n = (size_t)(eq - a);
        char m[256];
        snprintf(m, sizeof m, "bad value in %s", a);
        if (n == 7 && !strncmp(a, "-bindir", n)) c.bindir = v;
        else if (n == 4 && !strncmp(a, "-lib", n)) c.libcpuprof = v;
        else if (n == 6 && !strncmp(a, "-gperf", n)) c.libgperf = v;
        else if (n == 4 && !strncmp(a, "-out", n)) c.outdir = v;
        else if (n == 5 && !strncmp(a, "-only", n)) only = v;
        else if (n == 10 && !strncmp(a, "-gperf-top", n)) return gperf_top(v);
        else if (n == 5 && !strncmp(a, "-reps", n)) {
            if (parse_int(v, 6, 64, &c.reps)) return usage("-reps must be in 6..64");
        } else if (n == 4 && !strncmp(a, "-pin", n)) {
            if (parse_int(v, -1, 4095, &c.pin_cpu)) return usage("-pin must be a CPU or -1");
        } else if (n == 6 && !strncmp(a, "-scale", n)) {
            char *end;
            c.scale = strtod(v, &end);
            if (*end || !(c.scale >= 0.001 && c.scale <= 10))
                return usage("-scale must be in 0.001..10");
        } else {
            snprintf(m, sizeof m, "unknown flag %.*s", (int)n, a);
            return usage(m);
        }
    }
    static const char *const progs[] = {"work_spin", "work_split3", "work_threads", "work_onoff",
                                        NULL};
    for (int i = 0; progs[i]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", c.bindir, progs[i]);
        if (access(p, X_OK) != 0) {
            fprintf(stderr, "profbench: %s: %s (run make bench)\n", p, strerror(errno));
            return 2;
        }
    }
    if (access(c.libcpuprof, R_OK) != 0) {
        fprintf(stderr, "profbench: %s: %s\n", c.libcpuprof, strerror(errno));
        return 2;
    }
    if (access(c.libgperf, R_OK) != 0) {
        fprintf(stderr, "profbench: %s: %s (apt-get install libgoogle-perftools-dev)\n",
                c.libgperf, strerror(errno));
        return 2;
    }
    /* Children run with LD_PRELOAD from their own cwd-independent paths. */
    static char libabs[4096], gperfabs[4096];
    if (!realpath(c.libcpuprof, libabs) || !realpath(c.libgperf, gperfabs)) {
        fprintf(stderr, "profbench: cannot resolve the library paths: %s\n", strerror(errno));
        return 2;
    }
    c.libcpuprof = libabs;
    c.libgperf = gperfabs;
    char profdir[512];
    snprintf(profdir, sizeof profdir, "%s/profiles", c.outdir);
    if (mkdir_p(profdir) != 0) {
        fprintf(stderr, "profbench: cannot create %s: %s\n", profdir, strerror(errno));
        return 2;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/raw.tsv", c.outdir);
    c.raw = fopen(path, "w");
    snprintf(path, sizeof path, "%s/summary.txt", c.outdir);
    c.report = fopen(path, "w");
    snprintf(path, sizeof path, "%s/children.log", c.outdir);
    FILE *log = fopen(path, "w");
    if (!c.raw || !c.report || !log) {
        fprintf(stderr, "profbench: cannot write into %s: %s\n", c.outdir, strerror(errno));
        return 2;
    }
    fclose(log);
    fprintf(c.raw, "experiment\tvariant\thz\trep\tcpu_ns\tuser_ns\tsys_ns\twall_ns\tprofile"
                   "\tchild_stdout\textra\n");

    struct utsname u;
    uname(&u);
    char model[256], load[128], date[64];
    cpu_model(model, sizeof model);
    loadavg(load, sizeof load);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    pb_say(&c, "profbench: cpuprof vs gperftools, %s\n", date);
    pb_say(&c, "machine: %ld CPUs online, %s, kernel %s %s, load average at start: %s\n", ncpu,
           model, u.sysname, u.release, load);
    pb_say(&c, "profilers: %s, %s\n", c.libcpuprof, c.libgperf);

    char err[512];
    if (calibrate(&c, err, sizeof err) != 0) {
        fprintf(stderr, "profbench: calibration: %s\n", err);
        return 1;
    }
    pb_say(&c, "work unit: %.1f us of CPU (%.0f units per CPU-second); scale %.3g\n",
           1e6 / pb_units_per_sec, pb_units_per_sec, c.scale);

    static const struct {
        const char *name;
        int (*fn)(const pb_config *, char *, size_t);
    } exps[] = {{"overhead", exp_overhead},
                {"onoff", exp_onoff},
                {"accuracy", exp_accuracy},
                {"threads", exp_threads},
                {"rate", exp_rate}};
    int failed = 0, ran = 0;
    for (size_t i = 0; i < sizeof exps / sizeof exps[0]; i++) {
        /* -only is a comma list of names. */
        size_t l = strlen(exps[i].name);
        int want = 0;
        for (const char *p = only; *p;) {
            size_t k = strcspn(p, ",");
            if (k == l && strncmp(p, exps[i].name, l) == 0) want = 1;
            p += k + (p[k] == ',');
        }
        if (!want) continue;
        ran++;
        if (exps[i].fn(&c, err, sizeof err) != 0) {
            pb_say(&c, "experiment %s FAILED: %s\n", exps[i].name, err);
            failed++;
        }
    }
    if (ran == 0) return usage("-only names none of overhead,onoff,accuracy,threads,rate");
    pb_say(&c, "\n== Summary\n");
    for (int i = 0; i < nverdicts; i++) pb_say(&c, "%s\n", verdicts[i]);
    load[0] = '\0';
    loadavg(load, sizeof load);
    pb_say(&c, "\nload average at end: %s\nraw results: %s/raw.tsv, tables: %s/summary.txt, "
               "profiles: %s/profiles/\n",
           load, c.outdir, c.outdir, c.outdir);
    fclose(c.raw);
    fclose(c.report);
    return failed ? 1 : 0;
}
