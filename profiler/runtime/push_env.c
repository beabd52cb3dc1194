/* push_env.c: the push agent with no code change:
 *
 *   CPUPROF_PUSH_URL=http://127.0.0.1:4040 CPUPROF_PUSH_APP=shop \
 *   CPUPROF_PUSH_TAGS=version=v1,region=eu CPUPROF_PUSH_PERIOD=10 \
 *   LD_PRELOAD=build/lib/libcpuprof.so ./prog
 *
 * A constructor of the shared library reads the variables, starts the
 * agent, and registers an exit handler that stops it, which pushes the
 * last, partial period. Also read: CPUPROF_PUSH_HZ (default 100) and
 * CPUPROFILE_TIMER (process or thread, as for file profiles).
 *
 * Invariants: without CPUPROF_PUSH_URL this file does nothing. With
 * CPUPROFILE also set the agent is not started, and one line on stderr
 * says so: one CPU profile runs at a time per process, and the file
 * profile, asked for explicitly, wins. A bad value is reported in one line
 * and the agent is not started; the program always runs. Only the process
 * that started the agent stops it at exit (not a forked child). Nothing
 * refers to this object, so a static link of libcpuprof.a leaves it out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpuprof.h"

static pid_t started_by;

static void stop_at_exit(void) {
    if (getpid() == started_by) cpuprof_push_stop();
}

/* A number in [lo, hi] from the variable, or def when unset; -1 (with a
 * message) when set to something else. */
static double env_number(const char *name, double lo, double hi, double def) {
    const char *s = getenv(name);
    if (!s || !*s) return def;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "cpuprof: %s=%s is not a number in %g..%g; push agent not started\n",
                name, s, lo, hi);
        return -1;
    }
    return v;
}

/* The program's own name, as the default application name: its base name
 * with every character Pyroscope refuses replaced by '_'. */
static void program_name(char *out, size_t n) {
    char exe[256];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l <= 0) l = (ssize_t)snprintf(exe, sizeof exe, "app");
    exe[l] = '\0';
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    size_t bl = strlen(base) < n - 1 ? strlen(base) : n - 1;
    memcpy(out, base, bl);
    out[bl] = '\0';
    for (char *c = out; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '.' || *c == '-'))
            *c = '_';
}

/* Splits "k=v,k2=v2" in place into tags. Returns the count, or -1. */
static int split_tags(char *s, cpuprof_label *tags, int max) {
    int n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq || n == max) return -1;
        *eq = '\0';
        tags[n].key = tok;
        tags[n].value = eq + 1;
        n++;
    }
    return n;
}

__attribute__((constructor)) static void push_from_env(void) {
    const char *url = getenv("CPUPROF_PUSH_URL");
    if (!url || !*url) return;
    const char *file = getenv("CPUPROFILE");
    if (file && *file) {
        fprintf(stderr,
                "cpuprof: CPUPROF_PUSH_URL ignored: CPUPROFILE=%s already profiles this process "
                "(one CPU profile at a time); unset one of them\n", file);
        return;
    }
    cpuprof_push_options o;
    memset(&o, 0, sizeof o);
    o.url = url;
    char app[128];
    const char *a = getenv("CPUPROF_PUSH_APP");
    if (a && *a) {
        snprintf(app, sizeof app, "%s", a);
    } else {
        program_name(app, sizeof app);
    }
    o.app = app;
    static char tagbuf[1024];
    static cpuprof_label tags[CPUPROF_PUSH_MAX_TAGS];
    const char *t = getenv("CPUPROF_PUSH_TAGS");
    if (t && *t) {
        snprintf(tagbuf, sizeof tagbuf, "%s", t);
        int n = split_tags(tagbuf, tags, CPUPROF_PUSH_MAX_TAGS);
        if (n < 0) {
            fprintf(stderr,
                    "cpuprof: CPUPROF_PUSH_TAGS=%s: want key=value pairs separated by ',' (at "
                    "most %d); push agent not started\n", t, CPUPROF_PUSH_MAX_TAGS);
            return;
        }
        o.tags = tags;
        o.ntags = (size_t)n;
    }
    double period = env_number("CPUPROF_PUSH_PERIOD", 0.1, 3600, 10);
    double hz = env_number("CPUPROF_PUSH_HZ", 1, 10000, 100);
    if (period < 0 || hz < 0) return;
    o.period_ms = (int)(period * 1000 + 0.5);
    o.hz = (int)hz;
    const char *timer = getenv("CPUPROFILE_TIMER");
    if (timer && strcmp(timer, "thread") == 0) o.mode = CPUPROF_TIMER_THREAD;
    if (cpuprof_push_start(&o) != 0) {
        fprintf(stderr, "cpuprof: push agent not started: %s\n", strerror(errno));
        return;
    }
    started_by = getpid();
    atexit(stop_at_exit);
}
