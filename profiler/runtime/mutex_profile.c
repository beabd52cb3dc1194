/* mutex_profile.c: the mutex contention profile, the counterpart of Go's
 * runtime.SetMutexProfileFraction and /debug/pprof/mutex.
 *
 * pthread_mutex_lock is interposed. With recording off (rate 0) it calls the
 * real function and nothing else. With rate > 0 it first tries
 * pthread_mutex_trylock: success means no contention (the fast path).
 * Otherwise this is a contention event; 1 in `rate` of them (per-thread
 * random draw) is sampled: the waiter's stack is taken with unw_backtrace
 * (starting at the caller of pthread_mutex_lock), the blocking lock is
 * timed with CLOCK_MONOTONIC, and (rate, delay * rate) is added to that
 * stack's entry, with the thread's label set, in a stack table (the same
 * lock-free table the CPU sampler uses). Weighting by rate makes the totals
 * estimate all contentions, as Go's do.
 *
 * Unlike Go, which charges the delay to the stack that *unlocks*, this
 * records the stack of the thread that *waits*, at its lock call: "who
 * waited, where" rather than "who made them wait".
 *
 * Invariants:
 *   - Never deadlocks, never recurses: the recording path takes no pthread
 *     mutex of its own (the table is lock-free, creation is one CAS), and a
 *     thread-local flag sends every pthread_mutex_lock made while this
 *     thread records (by libunwind, say) straight to the real function.
 *   - Bootstrap: the real function is found with dlsym(RTLD_NEXT). Should
 *     dlsym itself lock a mutex through this name, the nested call spins on
 *     pthread_mutex_trylock (not interposed) instead.
 *   - The stack is taken before blocking, holding no lock of the program's,
 *     with SIGPROF blocked so the CPU sampler never unwinds in the middle of
 *     our own libunwind call on this thread.
 *   - The table is allocated the first time a rate > 0 is set and never
 *     freed, so it may be read (exported) while other threads record.
 *   - Returns exactly what the real pthread_mutex_lock would (trylock's
 *     other results, EOWNERDEAD or EINVAL, are returned as they are).
 *   - Never records inside the SIGPROF handler: libunwind's allocator locks
 *     its two free lists there (see sampler.c); those calls go straight to
 *     the real function and are only counted (mutex_profile_locks_in_handler),
 *     so the profiler's own waits never show up as the program's contention
 *     and no second unwind starts in signal context.
 *   - unw_backtrace in normal code never waits for a handler: its
 *     dl_iterate_phdr goes straight to the real one (loader_guard.c).
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <errno.h>
#include <libunwind.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpuprof.h"
#include "labels.h"
#include "sampler_internal.h"
#include "stack_table.h"

#define MUTEX_MAX_STACKS 4096
#define MUTEX_MAX_DEPTH 64
#define SKIP_MAX 8 /* our own frames above the caller's, at most */

typedef int (*lock_fn)(pthread_mutex_t *);

static _Atomic(lock_fn) real_lock;
static _Atomic int g_rate;
static stack_table *_Atomic g_table;
static _Atomic int64_t g_start_wall, g_start_mono;
static _Atomic uint64_t g_dropped, g_dropped_delay;
static _Atomic uint64_t g_locks_in_handler;

static CPUPROF_TLS int tls_busy;      /* this thread is inside our hook */
static CPUPROF_TLS int tls_resolving; /* this thread is inside dlsym */
static CPUPROF_TLS uint64_t tls_rng;

static int64_t clock_ns(clockid_t c) {
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The next pthread_mutex_lock, or NULL while this thread is resolving it
 * (or when it cannot be found). */
static lock_fn resolve_real(void) {
    lock_fn fn = atomic_load_explicit(&real_lock, memory_order_acquire);
    if (fn || tls_resolving) return fn;
    tls_resolving = 1;
    void *sym = dlsym(RTLD_NEXT, "pthread_mutex_lock");
    tls_resolving = 0;
    lock_fn self = pthread_mutex_lock;
    memcpy(&fn, &sym, sizeof fn);
    if (!sym || fn == self) return NULL;
    atomic_store_explicit(&real_lock, fn, memory_order_release);
    return fn;
}

/* Locks without the real function: only while it is being resolved. */
static int bootstrap_lock(pthread_mutex_t *m) {
    int r;
    while ((r = pthread_mutex_trylock(m)) == EBUSY) sched_yield();
    return r;
}

/* 1 in rate, from a per-thread xorshift64* generator. */
static int sampled(int rate) {
    if (rate <= 1) return 1;
    if (tls_rng == 0)
        tls_rng = ((uint64_t)(uintptr_t)&tls_rng ^ (uint64_t)clock_ns(CLOCK_MONOTONIC)) | 1;
    tls_rng ^= tls_rng >> 12;
    tls_rng ^= tls_rng << 25;
    tls_rng ^= tls_rng >> 27;
    return (tls_rng * 0x2545f4914f6cdd1dULL) % (uint64_t)rate == 0;
}

/* The waiter's stack, leaf first, starting at the frame that called
 * pthread_mutex_lock (whose return address is `caller`). Each pc is a
 * return address minus 1, so it points into the call instruction. */
static __attribute__((noinline)) int capture(uintptr_t *pcs, uintptr_t caller) {
    void *buf[MUTEX_MAX_DEPTH + SKIP_MAX];
    sigset_t prof, old;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    pthread_sigmask(SIG_BLOCK, &prof, &old);
    int n = unw_backtrace(buf, MUTEX_MAX_DEPTH + SKIP_MAX);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int start = -1;
    for (int i = 0; i < n && i < SKIP_MAX; i++)
        if ((uintptr_t)buf[i] == caller) {
            start = i;
            break;
        }
    if (start < 0) return 0; /* not found: better no stack than a wrong one */
    int depth = 0;
    for (int i = start; i < n && depth < MUTEX_MAX_DEPTH; i++)
        pcs[depth++] = (uintptr_t)buf[i] - 1;
    return depth;
}

static uint64_t saturating_mul(uint64_t a, uint64_t b) {
    return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static __attribute__((noinline)) int contended_lock(lock_fn real, pthread_mutex_t *m, int rate,
                                                    uintptr_t caller) {
    stack_table *t = atomic_load(&g_table);
    if (!t || !sampled(rate)) return real(m);
    uintptr_t pcs[MUTEX_MAX_DEPTH];
    tls_busy = 1;
    int depth = capture(pcs, caller);
    tls_busy = 0;
    int64_t t0 = clock_ns(CLOCK_MONOTONIC);
    int r = real(m);
    int64_t t1 = clock_ns(CLOCK_MONOTONIC);
    uint64_t delay = saturating_mul((uint64_t)(t1 > t0 ? t1 - t0 : 0), (uint64_t)rate);
    if (depth == 0 || stack_table_add_weighted(t, pcs, depth, cpuprof_tls_labels,
                                               (uint64_t)rate, delay) != 0) {
        atomic_fetch_add_explicit(&g_dropped, (uint64_t)rate, memory_order_relaxed);
        atomic_fetch_add_explicit(&g_dropped_delay, delay, memory_order_relaxed);
    }
    return r;
}

int pthread_mutex_lock(pthread_mutex_t *m) {
    lock_fn real = resolve_real();
    if (!real) return bootstrap_lock(m);
    if (cpuprof_tls_in_handler) {
        atomic_fetch_add_explicit(&g_locks_in_handler, 1, memory_order_relaxed);
        return real(m);
    }
    int rate = atomic_load_explicit(&g_rate, memory_order_relaxed);
    if (rate <= 0 || tls_busy) return real(m);
    int r = pthread_mutex_trylock(m);
    if (r != EBUSY) return r;
    return contended_lock(real, m, rate, (uintptr_t)__builtin_return_address(0));
}

__attribute__((constructor)) static void mutex_profile_load(void) {
    resolve_real();
}

uint64_t mutex_profile_locks_in_handler(void) {
    return atomic_load(&g_locks_in_handler);
}

/* ---- the API ---------------------------------------------------------------- */

int cpuprof_mutex_profile_rate(int rate) {
    if (rate < 0) return atomic_load(&g_rate);
    if (rate > 0 && !atomic_load(&g_table)) {
        stack_table *t = stack_table_new(MUTEX_MAX_STACKS, MUTEX_MAX_DEPTH);
        if (!t) {
            errno = ENOMEM;
            return -1;
        }
        stack_table *expected = NULL;
        if (atomic_compare_exchange_strong(&g_table, &expected, t)) {
            atomic_store(&g_start_wall, clock_ns(CLOCK_REALTIME));
            atomic_store(&g_start_mono, clock_ns(CLOCK_MONOTONIC));
        } else {
            stack_table_free(t); /* another thread installed one first */
        }
        /* libunwind sets itself up on first use (locks, allocation): do it
         * here rather than in the first contended lock. */
        void *buf[4];
        tls_busy = 1;
        unw_backtrace(buf, 4);
        tls_busy = 0;
    }
    return atomic_exchange(&g_rate, rate);
}

/* Everything recorded so far, as a profile. NULL with a message in err. */
static profile *build(char *summary, size_t summary_len, char *err, size_t errlen) {
    stack_table *t = atomic_load(&g_table);
    int rate = atomic_load(&g_rate);
    uint64_t count = 0, delay = 0;
    size_t cursor = 0;
    stack_entry e;
    while (t && stack_table_next(t, &cursor, &e)) {
        count += e.count;
        delay += e.periods;
    }
    uint64_t dropped = atomic_load(&g_dropped), dropped_delay = atomic_load(&g_dropped_delay);
    snprintf(summary, summary_len, "%llu contentions (%llu dropped), %.3f s delay, rate %d",
             (unsigned long long)(count + dropped), (unsigned long long)dropped,
             (double)(delay + dropped_delay) / 1e9, rate);
    char comment[200];
    snprintf(comment, sizeof comment, "cpuprof mutex profile: %s", summary);
    int64_t start_wall = atomic_load(&g_start_wall), start_mono = atomic_load(&g_start_mono);
    export_info info = {
        .types = {{"contentions", "count"}, {"delay", "nanoseconds"}},
        .period_type = {"contentions", "count"},
        .period = rate,
        .scale = 1,
        .time_nanos = t ? start_wall : clock_ns(CLOCK_REALTIME),
        .duration_nanos = t ? clock_ns(CLOCK_MONOTONIC) - start_mono : 0,
        .dropped = dropped,
        .dropped_periods = dropped_delay,
        .comment = comment,
    };
    return sample_export(t, &info, err, errlen);
}

int cpuprof_mutex_profile_write(const char *path) {
    if (!path || !*path) {
        fprintf(stderr, "cpuprof: mutex profile: no file name\n");
        errno = EINVAL;
        return -1;
    }
    char summary[160], err[256];
    /* Locks taken while building and writing (the symbolizer's, say) are
     * not the program's contention: keep them out of the table. */
    int was_busy = tls_busy;
    tls_busy = 1;
    profile *p = build(summary, sizeof summary, err, sizeof err);
    int rc = -1;
    if (!p) {
        fprintf(stderr, "cpuprof: mutex profile: %s\n", err);
    } else if (profile_write_file(p, path, err, sizeof err) != 0) {
        fprintf(stderr, "cpuprof: mutex profile: %s\n", err);
    } else {
        fprintf(stderr, "cpuprof: wrote %s: %s\n", path, summary);
        rc = 0;
    }
    profile_free(p);
    tls_busy = was_busy;
    if (rc != 0) errno = EIO;
    return rc;
}

int cpuprof_mutex_profile_to_buffer(uint8_t **buf, size_t *len) {
    if (!buf || !len) {
        errno = EINVAL;
        return -1;
    }
    *buf = NULL;
    *len = 0;
    char summary[160], err[256];
    int was_busy = tls_busy;
    tls_busy = 1;
    profile *p = build(summary, sizeof summary, err, sizeof err);
    int rc = -1;
    if (!p) fprintf(stderr, "cpuprof: mutex profile: %s\n", err);
    else if (profile_encode(p, buf, len, err, sizeof err) == 0) rc = 0;
    else fprintf(stderr, "cpuprof: mutex profile: %s\n", err);
    profile_free(p);
    tls_busy = was_busy;
    if (rc != 0) errno = EIO;
    return rc;
}
