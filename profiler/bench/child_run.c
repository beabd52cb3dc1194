/* child_run.c: runs one workload under one profiler variant and measures it.
 *
 * The child gets a clean profiling environment (LD_PRELOAD, CPUPROFILE*,
 * CPUPROF_HTTP removed), then exactly the variables of its variant; it may
 * be pinned to one CPU. Its stdout comes back through a pipe (the first
 * 8 KB), its stderr (the profilers' "wrote ..." lines) is appended to
 * outdir/children.log. CPU time is the child's own rusage from wait4, user
 * plus system: everything the process used, including loading the
 * profiler, running its handler and writing the profile at exit.
 *
 * Invariants: one child at a time; a child that fails to run or exits
 * non-zero is an error, never a silent zero measurement.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "profbench.h"

#define MAX_ARGS 8

const char *pb_variant_name(pb_variant v) {
    switch (v) {
    case PB_NONE: return "none";
    case PB_OURS_PROC: return "cpuprof-process";
    case PB_OURS_THREAD: return "cpuprof-thread";
    case PB_GPERF: return "gperftools";
    default: return "?";
    }
}

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t tv_ns(struct timeval tv) {
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

/* In the child, before exec: only async-signal-safe-enough calls on our
 * own copy of the environment (we are single-threaded). */
static void child_env(const pb_config *c, pb_variant v, int hz, const char *profile) {
    static const char *const clean[] = {"LD_PRELOAD", "CPUPROFILE", "CPUPROFILE_HZ",
                                        "CPUPROFILE_TIMER", "CPUPROFILE_FREQUENCY",
                                        "CPUPROFILE_REALTIME", "CPUPROFILE_PER_THREAD_TIMERS",
                                        "CPUPROF_HTTP", NULL};
    for (int i = 0; clean[i]; i++) unsetenv(clean[i]);
    char hzs[32];
    snprintf(hzs, sizeof hzs, "%d", hz);
    switch (v) {
    case PB_NONE: break;
    case PB_OURS_PROC:
    case PB_OURS_THREAD:
        setenv("LD_PRELOAD", c->libcpuprof, 1);
        setenv("CPUPROFILE", profile, 1);
        setenv("CPUPROFILE_HZ", hzs, 1);
        setenv("CPUPROFILE_TIMER", v == PB_OURS_THREAD ? "thread" : "process", 1);
        break;
    case PB_GPERF:
        setenv("LD_PRELOAD", c->libgperf, 1);
        setenv("CPUPROFILE", profile, 1);
        setenv("CPUPROFILE_FREQUENCY", hzs, 1);
        break;
    default: break;
    }
}

int pb_run_child(const pb_config *c, pb_variant v, int hz, int pin, const char *tag,
                 const char *prog, const char *const *args, pb_run *r, char *err,
                 size_t errlen) {
    memset(r, 0, sizeof *r);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", c->bindir, prog);
    if (v != PB_NONE) {
        snprintf(r->profile, sizeof r->profile, "%s/profiles/%s.%s.prof", c->outdir, tag,
                 pb_variant_name(v));
        unlink(r->profile);
    }
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)prog;
    for (int i = 0; args && args[i] && argc < MAX_ARGS + 1; i++) argv[argc++] = (char *)args[i];
    argv[argc] = NULL;

    char logpath[512];
    snprintf(logpath, sizeof logpath, "%s/children.log", c->outdir);
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        snprintf(err, errlen, "%s: %s", logpath, strerror(errno));
        return -1;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close(logfd);
        return -1;
    }
    fflush(NULL);
    int64_t t0 = mono_ns();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        close(logfd);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        if (pin >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(pin, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        child_env(c, v, hz, r->profile);
        execv(path, argv);
        dprintf(STDERR_FILENO, "profbench: exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    close(logfd);
    size_t used = 0;
    char buf[4096];
    for (;;) {
        ssize_t n = read(pfd[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t k = (size_t)n;
        if (used + k > sizeof r->out - 1) k = sizeof r->out - 1 - used;
        memcpy(r->out + used, buf, k);
        used += k;
    }
    r->out[used] = '\0';
    while (used > 0 && r->out[used - 1] == '\n') r->out[--used] = '\0';
    close(pfd[0]);
    int status;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR) {}
    r->wall_ns = mono_ns() - t0;
    if (w != pid) {
        snprintf(err, errlen, "wait4: %s", strerror(errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "%s under %s: %s %d (see %s)", prog, pb_variant_name(v),
                 WIFEXITED(status) ? "exit status" : "killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), logpath);
        return -1;
    }
    r->user_ns = tv_ns(ru.ru_utime);
    r->sys_ns = tv_ns(ru.ru_stime);
    r->cpu_ns = r->user_ns + r->sys_ns;
    struct stat st;
    if (v != PB_NONE && stat(r->profile, &st) != 0) {
        snprintf(err, errlen, "%s under %s wrote no profile %s", prog, pb_variant_name(v),
                 r->profile);
        return -1;
    }
    return 0;
}

static const char *find_key(const char *out, const char *key) {
    size_t k = strlen(key);
    for (const char *p = out; (p = strstr(p, key)) != NULL; p++)
        if ((p == out || p[-1] == ' ' || p[-1] == '\n') && p[k] == '=') return p + k + 1;
    return NULL;
}

int64_t pb_out_int(const char *out, const char *key) {
    const char *v = find_key(out, key);
    return v ? strtoll(v, NULL, 10) : -1;
}

double pb_out_double(const char *out, const char *key) {
    const char *v = find_key(out, key);
    return v ? strtod(v, NULL) : -1;
}

void pb_raw(const pb_config *c, const char *experiment, pb_variant v, int hz, int rep,
            const pb_run *r, const char *extra) {
    if (!c->raw) return;
    /* One line per run: the child's lines are joined with ';'. */
    char out[sizeof r->out];
    snprintf(out, sizeof out, "%s", r->out);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\t') *p = ';';
    fprintf(c->raw, "%s\t%s\t%d\t%d\t%lld\t%lld\t%lld\t%lld\t%s\t%s\t%s\n", experiment,
            pb_variant_name(v), hz, rep, (long long)r->cpu_ns, (long long)r->user_ns,
            (long long)r->sys_ns, (long long)r->wall_ns, r->profile[0] ? r->profile : "-",
            out, extra ? extra : "");
    fflush(c->raw);
}

int pb_read_profile(pb_variant v, const char *path, profile **out, char *err, size_t errlen) {
    if (v == PB_GPERF) return gperf_profile_read(path, out, err, errlen);
    return profile_read_file(path, out, err, errlen);
}

void pb_say(const pb_config *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (c->report) {
        va_start(ap, fmt);
        vfprintf(c->report, fmt, ap);
        va_end(ap);
    }
    fflush(stdout);
}
