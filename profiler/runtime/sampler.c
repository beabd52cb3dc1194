/* sampler.c: the SIGPROF sampler: state, the signal handler, and the public
 * cpuprof_start / cpuprof_stop API (profiler/include/cpuprof.h).
 *
 * Life of a profile: start allocates the stack table, takes the snapshot of
 * loaded objects the handler unwinds against (loader_guard.c), installs the
 * handler (keeping the program's previous one), sets `running` and arms the
 * timers (one setitimer for the process, or one timer per thread). Each
 * SIGPROF either stores its stack in the table or counts a drop. Stop checks
 * that the program did not replace the handler or the process timer
 * meanwhile (one warning line if it did), disarms the timers, clears
 * `running`, waits until no handler runs, puts the program's previous
 * handler back (but never SIG_DFL, so a late signal cannot kill the
 * program), then (outside any signal context) turns the table into a
 * profile, writes it and frees the table.
 *
 * The handler is async-signal-safe: it saves and restores errno; it touches
 * only atomics, initial-exec thread-locals (the thread's label set pointer
 * among them, stored as is in the stack key), the preallocated table and
 * libunwind in local-only mode; it never allocates, prints or waits for
 * another thread. libunwind runs without its register-state cache
 * (UNW_CACHE_NONE): Debian's build has no per-thread caches, and its global
 * one is guarded by a pthread mutex that normal code holds while it calls
 * dl_iterate_phdr, which may wait for handlers (a deadlock). The
 * dl_iterate_phdr calls libunwind makes from the handler are served from
 * the snapshot, without the loader's lock. What stays on the handler's path
 * is libunwind's small-object allocator (two pthread mutexes, taken for
 * each frame): every holder blocks all signals first and only pops or
 * pushes a free list (or calls mmap), so no handler can interrupt a holder
 * and no holder waits for anything. The handler refuses to unwind
 * (and counts a drop) when re-entered on the same thread, while some thread
 * is in dlopen or dlclose (loader_guard.c), or once sampling was abandoned.
 *
 * Abandoning: a handler that never finishes would make stop, and every
 * dlopen, wait forever. All waits for handlers are bounded; when one runs
 * out, sampler_abandon makes every later handler drop without unwinding,
 * makes start fail (ENOTRECOVERABLE) and stops all waiting. The table of a
 * profile stopped that way is leaked, not freed.
 *
 * Invariants: every SIGPROF that arrives while running is counted exactly
 * once, as a stored sample or as a drop, so the profile's total is the
 * number of signals taken. `g_in_handler` is raised before `g_running` is
 * read, and stop clears `g_running` before waiting for `g_in_handler` to
 * reach 0 (both sequentially consistent), so no handler touches a table
 * after stop frees it. Start and stop are serialized by `api_lock`.
 */
#define UNW_LOCAL_ONLY
#include <errno.h>
#include <libunwind.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cpuprof.h"
#include "labels.h"
#include "sampler_internal.h"
#include "stack_table.h"

#define DEFAULT_HZ 100
#define MAX_HZ 10000
#define DEFAULT_MAX_STACKS 16384
#define DEFAULT_MAX_DEPTH 64
#define STOP_WAIT_MS 2000

CPUPROF_TLS int cpuprof_tls_in_handler;

/* Read by the handler. */
static _Atomic int g_running;
static _Atomic int g_in_handler;
static _Atomic int g_abandoned;
static stack_table *_Atomic g_table;
static int g_max_depth;
static _Atomic uint64_t g_samples, g_dropped, g_dropped_periods;

/* Normal code only, under api_lock. */
static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_errno;
static char *g_path;
static cpuprof_timer_mode g_mode;
static int g_hz;
static int64_t g_start_wall, g_start_mono, g_start_cpu;
static cpuprof_stats g_last; /* stats of the last stopped profile */
static struct itimerval g_armed;        /* what process mode set */
static struct sigaction g_prev_action;  /* the program's SIGPROF action */

static int64_t clock_ns(clockid_t c) {
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the signal handler -------------------------------------------------- */

static void drop_sample(uint64_t periods) {
    atomic_fetch_add_explicit(&g_dropped, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_dropped_periods, periods, memory_order_relaxed);
}

/* Unwinds the interrupted thread into pcs[]. Returns the depth (0 when
 * libunwind refuses). */
static int unwind(void *uc, uintptr_t *pcs, int max_depth) {
    unw_cursor_t cursor;
    if (unw_init_local2(&cursor, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0) return 0;
    int depth = 0;
    int exact = 1; /* the interrupted pc itself, or a pc a signal frame saved */
    for (;;) {
        unw_word_t ip;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0) break;
        /* A caller's pc is a return address, just past the call: step back
         * into the call instruction so it names the right line. */
        pcs[depth++] = exact ? (uintptr_t)ip : (uintptr_t)ip - 1;
        if (depth >= max_depth) break;
        exact = unw_is_signal_frame(&cursor) > 0;
        if (unw_step(&cursor) <= 0) break;
    }
    return depth;
}

static void record(siginfo_t *si, void *uc) {
    uint64_t periods = 1;
    if (si && si->si_code == SI_TIMER && si->si_overrun > 0)
        periods += (uint64_t)(si->si_overrun < 1000000 ? si->si_overrun : 1000000);
    if (cpuprof_tls_in_handler || loader_guard_busy() || atomic_load(&g_abandoned)) {
        drop_sample(periods);
        return;
    }
    cpuprof_tls_in_handler = 1;
    stack_table *t = atomic_load(&g_table);
    uintptr_t pcs[STACK_TABLE_MAX_DEPTH];
    int depth = t ? unwind(uc, pcs, g_max_depth) : 0;
    /* The thread's label set: an immutable, never-freed pointer (labels.c). */
    if (depth > 0 && stack_table_add(t, pcs, depth, cpuprof_tls_labels, periods) == 0)
        atomic_fetch_add_explicit(&g_samples, 1, memory_order_relaxed);
    else
        drop_sample(periods);
    cpuprof_tls_in_handler = 0;
}

static void on_sigprof(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    int saved_errno = errno;
    atomic_fetch_add(&g_in_handler, 1);
    if (atomic_load(&g_running)) record(si, uc);
    atomic_fetch_sub(&g_in_handler, 1);
    errno = saved_errno;
}

int sampler_is_running(void) {
    return atomic_load(&g_running);
}

int sampler_handlers_running(void) {
    return atomic_load(&g_in_handler);
}

int sampler_wait_handlers(int timeout_ms) {
    int64_t deadline = clock_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;
    while (atomic_load(&g_in_handler) != 0) {
        if (atomic_load(&g_abandoned) || clock_ns(CLOCK_MONOTONIC) > deadline) return -1;
        sched_yield();
    }
    return 0;
}

void sampler_count_handler_for_test(int delta) {
    atomic_fetch_add(&g_in_handler, delta);
}

void sampler_abandon(const char *why) {
    if (atomic_exchange(&g_abandoned, 1)) return;
    /* May run inside fork's or dlopen's callers: write(2), not stdio. */
    static const char pre[] = "cpuprof: ";
    static const char post[] = "; CPU profiling disabled for this process\n";
    struct iovec v[3] = {{(void *)pre, sizeof pre - 1},
                         {(void *)why, strlen(why)},
                         {(void *)post, sizeof post - 1}};
    ssize_t rc = writev(STDERR_FILENO, v, 3);
    (void)rc;
}

/* ---- fork ------------------------------------------------------------------ */

/* The handler takes no lock and never reads the loader's list, so fork needs
 * no guard in the parent; only the child forgets the profile. */
static void fork_child(void) {
    /* The child has no timers (neither setitimer nor timer_create ones are
     * inherited) and must never write the parent's file: forget the
     * profile. Its table is a private copy-on-write copy; unmap it. */
    loader_guard_after_fork_child();
    thread_timers_after_fork_child();
    pthread_mutex_init(&api_lock, NULL);
    if (atomic_load(&g_running)) {
        atomic_store(&g_running, 0);
        stack_table_free(atomic_exchange(&g_table, NULL));
        free(g_path);
        g_path = NULL;
    }
    atomic_store(&g_in_handler, 0);
}

/* ---- start ------------------------------------------------------------------ */

static void init_once_fn(void) {
    loader_guard_init();
    /* No register-state cache: Debian's libunwind has no per-thread caches
     * (asking for them silently gives the global one), and the global one
     * is a pthread mutex that normal code holds across dl_iterate_phdr. */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
    /* Let libunwind initialize itself (it may lock and allocate the first
     * time) here rather than in a handler. */
    unw_context_t ctx;
    unw_cursor_t cur;
    if (unw_getcontext(&ctx) == 0 && unw_init_local(&cur, &ctx) == 0)
        for (int i = 0; i < 8 && unw_step(&cur) > 0; i++) {}
    if ((errno = pthread_atfork(NULL, NULL, fork_child)) != 0) init_errno = errno;
}

static int is_ours(const struct sigaction *sa) {
    return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_sigprof;
}

/* Installs the handler, remembering the program's own action (not ours,
 * left installed by an earlier profile). Under api_lock. */
static int install_handler(void) {
    struct sigaction sa, prev;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigprof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPROF, &sa, &prev) != 0) return -1;
    if (!is_ours(&prev)) g_prev_action = prev;
    return 0;
}

/* After the last handler ran: gives the program its SIGPROF action back,
 * unless that was the default, which would kill it on a late signal (ours
 * ignores those). Under api_lock. */
static void restore_handler(void) {
    struct sigaction cur;
    if (sigaction(SIGPROF, NULL, &cur) != 0 || !is_ours(&cur)) return;
    if (!(g_prev_action.sa_flags & SA_SIGINFO) && g_prev_action.sa_handler == SIG_DFL) return;
    sigaction(SIGPROF, &g_prev_action, NULL);
}

static int arm_process_timer(int hz) {
    long us = 1000000L / hz;
    if (us < 1) us = 1;
    struct itimerval it = {
        .it_interval = {.tv_sec = us / 1000000, .tv_usec = us % 1000000},
        .it_value = {.tv_sec = us / 1000000, .tv_usec = us % 1000000},
    };
    g_armed = it;
    return setitimer(ITIMER_PROF, &it, NULL);
}

/* Before disarming: one warning line for each way the program may have
 * taken SIGPROF away from the profile (its own handler, its own
 * setitimer), since the profile then silently misses samples. */
static void warn_if_taken_over(void) {
    struct sigaction cur;
    if (sigaction(SIGPROF, NULL, &cur) == 0 && !is_ours(&cur))
        fprintf(stderr, "cpuprof: warning: the program replaced the SIGPROF handler while "
                        "profiling; samples after that are missing\n");
    struct itimerval it;
    if (getitimer(ITIMER_PROF, &it) != 0) return;
    if (g_mode == CPUPROF_TIMER_PROCESS &&
        (it.it_interval.tv_sec != g_armed.it_interval.tv_sec ||
         it.it_interval.tv_usec != g_armed.it_interval.tv_usec))
        fprintf(stderr, "cpuprof: warning: the program changed ITIMER_PROF while profiling "
                        "(setitimer); the samples after that do not follow the asked rate\n");
    else if (g_mode == CPUPROF_TIMER_THREAD && (it.it_interval.tv_sec || it.it_interval.tv_usec ||
                                                it.it_value.tv_sec || it.it_value.tv_usec))
        fprintf(stderr, "cpuprof: warning: the program armed ITIMER_PROF while profiling in "
                        "thread mode; its signals were counted as samples\n");
}

static void disarm_timers(void) {
    if (g_mode == CPUPROF_TIMER_THREAD) {
        thread_timers_stop();
    } else {
        struct itimerval zero;
        memset(&zero, 0, sizeof zero);
        setitimer(ITIMER_PROF, &zero, NULL);
    }
}

int cpuprof_start(const char *path, int hz) {
    cpuprof_options o;
    memset(&o, 0, sizeof o);
    o.hz = hz;
    return cpuprof_start_opts(path, &o);
}

int cpuprof_start_opts(const char *path, const cpuprof_options *opts) {
    cpuprof_options o;
    memset(&o, 0, sizeof o);
    if (opts) o = *opts;
    if (o.hz == 0) o.hz = DEFAULT_HZ;
    if (o.max_stacks == 0) o.max_stacks = DEFAULT_MAX_STACKS;
    if (o.max_depth == 0) o.max_depth = DEFAULT_MAX_DEPTH;
    if (o.max_depth > STACK_TABLE_MAX_DEPTH) o.max_depth = STACK_TABLE_MAX_DEPTH;
    if (o.hz < 1 || o.hz > MAX_HZ || o.max_depth < 1 ||
        (o.mode != CPUPROF_TIMER_PROCESS && o.mode != CPUPROF_TIMER_THREAD)) {
        errno = EINVAL;
        return -1;
    }
    pthread_once(&init_once, init_once_fn);
    if (init_errno) {
        errno = init_errno;
        return -1;
    }
    if (atomic_load(&g_abandoned)) {
        errno = ENOTRECOVERABLE;
        return -1;
    }
    pthread_mutex_lock(&api_lock);
    if (atomic_load(&g_running)) {
        pthread_mutex_unlock(&api_lock);
        errno = EBUSY;
        return -1;
    }
    /* Again: a program that uses libunwind may have set its own policy. */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
    char *p = NULL;
    stack_table *t = NULL;
    if ((path && !(p = strdup(path))) || loader_guard_snapshot() != 0) goto fail;
    if (install_handler() != 0) {
        int e = errno;
        free(p);
        pthread_mutex_unlock(&api_lock);
        errno = e;
        return -1;
    }
    t = stack_table_new(o.max_stacks, o.max_depth);
    if (!t) goto fail;
    free(g_path);
    g_path = p;
    g_mode = o.mode;
    g_hz = o.hz;
    g_max_depth = o.max_depth;
    atomic_store(&g_samples, 0);
    atomic_store(&g_dropped, 0);
    atomic_store(&g_dropped_periods, 0);
    atomic_store(&g_table, t);
    g_start_wall = clock_ns(CLOCK_REALTIME);
    g_start_mono = clock_ns(CLOCK_MONOTONIC);
    g_start_cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    atomic_store(&g_running, 1);
    int rc;
    if (o.mode == CPUPROF_TIMER_THREAD)
        rc = thread_timers_start(1000000000LL / o.hz,
                                 (uint64_t)g_start_mono ^ ((uint64_t)getpid() << 32));
    else
        rc = arm_process_timer(o.hz);
    if (rc != 0) {
        int e = errno;
        atomic_store(&g_running, 0);
        if (sampler_wait_handlers(STOP_WAIT_MS) == 0) {
            stack_table_free(atomic_exchange(&g_table, NULL));
            restore_handler();
        } else {
            sampler_abandon("a signal handler did not finish; profile abandoned");
            atomic_store(&g_table, NULL);
        }
        free(g_path);
        g_path = NULL;
        pthread_mutex_unlock(&api_lock);
        errno = e;
        return -1;
    }
    pthread_mutex_unlock(&api_lock);
    return 0;
fail:
    free(p);
    restore_handler();
    pthread_mutex_unlock(&api_lock);
    errno = ENOMEM;
    return -1;
}

/* ---- stats ------------------------------------------------------------------ */

/* Under api_lock. */
static void current_stats(cpuprof_stats *s, int64_t cpu_now) {
    stack_table *t = atomic_load(&g_table);
    s->samples = atomic_load(&g_samples);
    s->dropped = atomic_load(&g_dropped);
    s->stacks = t ? stack_table_stacks(t) : 0;
    s->requested_hz = g_hz;
    double cpu_s = (double)(cpu_now - g_start_cpu) / 1e9;
    s->achieved_hz = cpu_s > 0 ? (double)(s->samples + s->dropped) / cpu_s : 0;
}

void cpuprof_get_stats(cpuprof_stats *out) {
    if (!out) return;
    pthread_mutex_lock(&api_lock);
    if (atomic_load(&g_running))
        current_stats(out, clock_ns(CLOCK_PROCESS_CPUTIME_ID));
    else
        *out = g_last;
    pthread_mutex_unlock(&api_lock);
}

/* ---- stop ------------------------------------------------------------------- */

/* Stops sampling and builds the profile. Under api_lock. On failure prints
 * one line and returns NULL (the table is freed either way). */
static profile *stop_and_build(char *summary, size_t summary_len) {
    warn_if_taken_over();
    /* Disarm first: while ITIMER_PROF is armed, the process CPU clock can
     * read up to one kernel tick short. */
    disarm_timers();
    int64_t cpu_end = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t mono_end = clock_ns(CLOCK_MONOTONIC);
    atomic_store(&g_running, 0);
    stack_table *t = atomic_load(&g_table);
    if (sampler_wait_handlers(STOP_WAIT_MS) != 0) {
        /* A handler is stuck: leaking the table is safer than freeing it
         * under its feet, and nothing may wait for handlers any more. */
        if (atomic_load(&g_abandoned))
            fprintf(stderr, "cpuprof: profile abandoned (a signal handler got stuck earlier)\n");
        else
            sampler_abandon("a signal handler did not finish; profile abandoned");
        atomic_store(&g_table, NULL);
        return NULL;
    }
    restore_handler();
    current_stats(&g_last, cpu_end);
    snprintf(summary, summary_len, "%llu samples (%llu dropped), %.1f Hz achieved of %d asked",
             (unsigned long long)(g_last.samples + g_last.dropped),
             (unsigned long long)g_last.dropped, g_last.achieved_hz, g_hz);
    char comment[256];
    snprintf(comment, sizeof comment, "cpuprof: %s, timer=%s", summary,
             g_mode == CPUPROF_TIMER_THREAD ? "thread" : "process");
    export_info info = {
        .types = {{"samples", "count"}, {"cpu", "nanoseconds"}},
        .period_type = {"cpu", "nanoseconds"},
        .period = 1000000000LL / g_hz,
        .scale = 1000000000LL / g_hz,
        .time_nanos = g_start_wall,
        .duration_nanos = mono_end - g_start_mono,
        .dropped = g_last.dropped,
        .dropped_periods = atomic_load(&g_dropped_periods),
        .comment = comment,
    };
    char err[256];
    profile *p = sample_export(t, &info, err, sizeof err);
    atomic_store(&g_table, NULL);
    stack_table_free(t);
    if (!p) fprintf(stderr, "cpuprof: %s\n", err);
    return p;
}

int cpuprof_stop(void) {
    pthread_mutex_lock(&api_lock);
    if (!atomic_load(&g_running)) {
        pthread_mutex_unlock(&api_lock);
        fprintf(stderr, "cpuprof: stop: no profile is running\n");
        errno = EINVAL;
        return -1;
    }
    char summary[160];
    profile *p = stop_and_build(summary, sizeof summary);
    int rc = -1;
    if (p && !g_path) {
        fprintf(stderr, "cpuprof: stop: the profile was started without a file name\n");
    } else if (p) {
        char err[256];
        if (profile_write_file(p, g_path, err, sizeof err) == 0) {
            fprintf(stderr, "cpuprof: wrote %s: %s\n", g_path, summary);
            rc = 0;
        } else {
            fprintf(stderr, "cpuprof: %s\n", err);
        }
    }
    if (p) profile_free(p);
    free(g_path);
    g_path = NULL;
    pthread_mutex_unlock(&api_lock);
    if (rc != 0) errno = EIO;
    return rc;
}

int cpuprof_stop_to_buffer(uint8_t **buf, size_t *len) {
    if (!buf || !len) {
        errno = EINVAL;
        return -1;
    }
    *buf = NULL;
    *len = 0;
    pthread_mutex_lock(&api_lock);
    if (!atomic_load(&g_running)) {
        pthread_mutex_unlock(&api_lock);
        fprintf(stderr, "cpuprof: stop: no profile is running\n");
        errno = EINVAL;
        return -1;
    }
    char summary[160];
    profile *p = stop_and_build(summary, sizeof summary);
    int rc = -1;
    if (p) {
        char err[256];
        if (profile_encode(p, buf, len, err, sizeof err) == 0) rc = 0;
        else fprintf(stderr, "cpuprof: %s\n", err);
    }
    if (p) profile_free(p);
    free(g_path);
    g_path = NULL;
    pthread_mutex_unlock(&api_lock);
    if (rc != 0) errno = EIO;
    return rc;
}
