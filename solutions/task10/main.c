/* main.c: task 10's service: a cache of 4,096 users read by 100 threads
 * while one writer updates it, for a fixed time, under the profiler.
 *
 *   bench [-seconds 10] [-readers 100] [-cpuprofile FILE]
 *         [-mutexprofile FILE] [-mutexrate N] [-pprof HOST:PORT]
 *
 * -cpuprofile writes a CPU profile of the run. -mutexprofile turns on the
 * mutex profile (cpuprof_mutex_profile_rate, rate 1 unless -mutexrate
 * says otherwise; the C form of Go's SetMutexProfileFraction) and writes
 * it at the end. -pprof serves /debug/pprof/ during the run, so the
 * profiles can also be fetched with curl or cpuprof. The last line of
 * output is the throughput:
 *   lookups: 123456789 in 10.0 s, 12345678 per second
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cpuprof.h"
#include "load.h"

typedef struct options {
    double seconds;
    long readers, mutexrate;
    const char *cpuprofile, *mutexprofile, *pprof;
} options;

static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "bench: %s '%s' (usage: bench [-seconds S] [-readers N] "
                    "[-cpuprofile FILE] [-mutexprofile FILE] [-mutexrate N] [-pprof ADDR])\n",
            what, arg);
    return -1;
}

static int number(const char *flag, const char *val, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (*val == '\0' || *end != '\0' || errno || !(v >= lo && v <= hi))
        return usage_error(flag, val);
    *out = v;
    return 0;
}

/* Accepts "-name value" and "-name=value". */
static int parse_options(int argc, char **argv, options *o) {
    static const char *const names[] = {"-seconds",      "-readers",   "-cpuprofile",
                                        "-mutexprofile", "-mutexrate", "-pprof"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '='), *val;
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        int which = -1;
        for (int k = 0; k < 6; k++)
            if (strlen(names[k]) == nlen && strncmp(a, names[k], nlen) == 0) which = k;
        if (which < 0) return usage_error("unknown flag", a);
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else return usage_error("missing value for", a);
        double v;
        switch (which) {
        case 0:
            if (number("-seconds must be 0.1 to 3600, not", val, 0.1, 3600, &o->seconds) < 0)
                return -1;
            break;
        case 1:
            if (number("-readers must be 1 to 1024, not", val, 1, 1024, &v) < 0) return -1;
            o->readers = (long)v;
            break;
        case 2: o->cpuprofile = val; break;
        case 3: o->mutexprofile = val; break;
        case 4:
            if (number("-mutexrate must be 0 to 1000000, not", val, 0, 1e6, &v) < 0) return -1;
            o->mutexrate = (long)v;
            break;
        case 5: o->pprof = val; break;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    options o = {.seconds = 10, .readers = 100, .mutexrate = -1};
    if (parse_options(argc, argv, &o) < 0) return 2;
    long rate = o.mutexrate >= 0 ? o.mutexrate : (o.mutexprofile || o.pprof) ? 1 : 0;
    if (rate > 0 && cpuprof_mutex_profile_rate((int)rate) < 0) {
        fprintf(stderr, "bench: cannot record mutex contention: %s\n", strerror(errno));
        return 1;
    }
    if (o.pprof) {
        int port = cpuprof_http_start(o.pprof);
        if (port < 0) {
            fprintf(stderr, "bench: cannot serve /debug/pprof/ on %s: %s\n", o.pprof,
                    strerror(errno));
            return 1;
        }
        printf("pprof http://127.0.0.1:%d/debug/pprof/\n", port);
        fflush(stdout);
    }

    cache *c = cache_new();
    load_fill(c);
    if (o.cpuprofile && cpuprof_start(o.cpuprofile, 100) != 0) {
        fprintf(stderr, "bench: cannot start the cpu profile: %s\n", strerror(errno));
        return 1;
    }
    uint64_t n = load_run(c, (int)o.readers, (int64_t)(o.seconds * 1000));
    if (o.cpuprofile && cpuprof_stop() != 0) return 1;
    if (o.mutexprofile && cpuprof_mutex_profile_write(o.mutexprofile) != 0) return 1;
    if (o.pprof) cpuprof_http_stop();
    cache_free(c);
    printf("lookups: %llu in %.1f s, %.0f per second\n", (unsigned long long)n, o.seconds,
           (double)n / o.seconds);
    return 0;
}
