/* preload_env.c: profiling with no code change, as gperftools users do:
 *
 *   CPUPROFILE=cpu.pb.gz LD_PRELOAD=build/lib/libcpuprof.so ./prog
 *   CPUPROF_MUTEX_PROFILE=mutex.pb.gz LD_PRELOAD=build/lib/libcpuprof.so ./prog
 *
 * A constructor of the shared library reads CPUPROFILE (the output file),
 * CPUPROFILE_HZ (samples per CPU-second, default 100) and CPUPROFILE_TIMER
 * (process or thread), starts the profiler when the library loads and
 * registers an exit handler that stops it and writes the file. It also
 * reads CPUPROF_MUTEX_RATE (1 in N contentions recorded; default 1 when a
 * mutex file is asked for, else 0) and CPUPROF_MUTEX_PROFILE (the mutex
 * profile written at exit); the rate alone is useful with CPUPROF_HTTP,
 * which then serves /debug/pprof/mutex.
 *
 * Invariants: without these variables this file does nothing. A bad value
 * is reported in one line and replaced by the default; it never stops
 * the program. Only the process that started the profile writes it: a
 * forked child exiting does not (the fork child handler in sampler.c
 * forgets the profile, and the exit handlers check the pid).
 * This object is only linked into the shared library's users on purpose:
 * nothing else refers to it, so a static link of libcpuprof.a leaves it out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpuprof.h"
#include "sampler_internal.h"

static pid_t started_by;

static void stop_at_exit(void) {
    /* In a forked child, or stopped already by the program itself: nothing
     * to write (cpuprof_stop would only complain). */
    if (getpid() != started_by || !sampler_is_running()) return;
    cpuprof_stop();
}

static int env_hz(void) {
    const char *s = getenv("CPUPROFILE_HZ");
    if (!s || !*s) return 100;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 10000) {
        fprintf(stderr, "cpuprof: CPUPROFILE_HZ=%s is not a number in 1..10000; using 100\n", s);
        return 100;
    }
    return (int)v;
}

static cpuprof_timer_mode env_timer(void) {
    const char *s = getenv("CPUPROFILE_TIMER");
    if (!s || !*s || strcmp(s, "process") == 0) return CPUPROF_TIMER_PROCESS;
    if (strcmp(s, "thread") == 0) return CPUPROF_TIMER_THREAD;
    fprintf(stderr, "cpuprof: CPUPROFILE_TIMER=%s is not process or thread; using process\n", s);
    return CPUPROF_TIMER_PROCESS;
}

/* ---- the mutex profile: CPUPROF_MUTEX_RATE, CPUPROF_MUTEX_PROFILE ---- */

static pid_t mutex_started_by;
static char *mutex_path;

static void mutex_write_at_exit(void) {
    if (getpid() != mutex_started_by || !mutex_path) return;
    cpuprof_mutex_profile_write(mutex_path);
}

/* The rate: CPUPROF_MUTEX_RATE, else 1 when a file is asked for, else 0. */
static int env_mutex_rate(int have_path) {
    const char *s = getenv("CPUPROF_MUTEX_RATE");
    if (!s || !*s) return have_path ? 1 : 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > 1000000000) {
        fprintf(stderr,
                "cpuprof: CPUPROF_MUTEX_RATE=%s is not a number in 0..1000000000; using %d\n", s,
                have_path ? 1 : 0);
        return have_path ? 1 : 0;
    }
    return (int)v;
}

static void mutex_from_env(void) {
    const char *path = getenv("CPUPROF_MUTEX_PROFILE");
    const char *rate_s = getenv("CPUPROF_MUTEX_RATE");
    int have_path = path && *path;
    if (!have_path && (!rate_s || !*rate_s)) return;
    int rate = env_mutex_rate(have_path);
    if (rate > 0 && cpuprof_mutex_profile_rate(rate) < 0) {
        fprintf(stderr, "cpuprof: cannot record mutex contention: %s\n", strerror(errno));
        return;
    }
    if (!have_path || !(mutex_path = strdup(path))) return;
    mutex_started_by = getpid();
    atexit(mutex_write_at_exit);
}

/* ---- the CPU profile: CPUPROFILE, CPUPROFILE_HZ, CPUPROFILE_TIMER ---- */

static void cpu_from_env(void) {
    const char *path = getenv("CPUPROFILE");
    if (!path || !*path) return;
    cpuprof_options o;
    memset(&o, 0, sizeof o);
    o.hz = env_hz();
    o.mode = env_timer();
    if (cpuprof_start_opts(path, &o) != 0) {
        fprintf(stderr, "cpuprof: cannot start profiling into %s: %s\n", path, strerror(errno));
        return;
    }
    started_by = getpid();
    atexit(stop_at_exit);
}

__attribute__((constructor)) static void cpuprof_from_env(void) {
    cpu_from_env();
    mutex_from_env();
}
