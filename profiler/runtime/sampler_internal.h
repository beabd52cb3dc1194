/* sampler_internal.h: what the parts of the sampler share with each other.
 *
 * The sampler is split by concept: sampler.c (state, the SIGPROF handler, the
 * public API), stack_table.c (where the handler stores stacks),
 * thread_timers.c (per-thread CPU timers and the pthread_create hook),
 * loader_guard.c (keeps the handler away from the dynamic loader),
 * sample_export.c (table -> profile), preload_env.c (CPUPROFILE=...),
 * labels.c (label sets, labels.h) and mutex_profile.c (the mutex profile,
 * which reuses the stack table and the exporter).
 *
 * Invariants: everything named here is private to libcpuprof (hidden, so an
 * LD_PRELOADed copy exports only the cpuprof_* API and the interposed libc
 * names). Functions marked "signal-safe" may be called from the handler;
 * all others only from normal code.
 */
#ifndef CPUPROF_SAMPLER_INTERNAL_H
#define CPUPROF_SAMPLER_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "profile.h"

#pragma GCC visibility push(hidden)

/* Thread-locals the handler reads are initial-exec: touching them never
 * calls __tls_get_addr, which may allocate. */
#define CPUPROF_TLS __thread __attribute__((tls_model("initial-exec")))

/* Nonzero while this thread runs the SIGPROF handler (sampler.c). */
extern CPUPROF_TLS int cpuprof_tls_in_handler;

/* ---- sampler.c --------------------------------------------------------- */

/* Nonzero between a successful start and stop. */
int sampler_is_running(void);

/* Number of SIGPROF handlers running right now in any thread. Signal-safe. */
int sampler_handlers_running(void);

/* Spins (yielding) until no handler runs, for at most timeout_ms. Returns 0
 * when none runs, -1 on timeout, and -1 at once once sampling has been
 * abandoned. */
int sampler_wait_handlers(int timeout_ms);

/* A handler never finished: from now on every handler drops its sample
 * without unwinding, no profile can be started, and nothing waits for the
 * handlers any more. Prints one line (the first time) naming `why`. */
void sampler_abandon(const char *why);

/* For tests: adds delta to the count of running handlers, so a test can
 * play a handler that never finishes (and undo it). */
void sampler_count_handler_for_test(int delta);

/* ---- loader_guard.c ---------------------------------------------------- */

/* Resolves the real dlopen & co. Idempotent; called at load and at start. */
void loader_guard_init(void);

/* Nonzero while some thread is inside dlopen, dlclose or dlmopen (or takes
 * a snapshot). Signal-safe. */
int loader_guard_busy(void);

/* Marks the loader busy and waits until no handler is unwinding, so that no
 * handler runs libunwind while the caller is in the loader. The wait is
 * bounded: returns 0, or -1 when it gave up (sampling is then abandoned).
 * Leave is called in both cases. */
int loader_guard_enter(void);
void loader_guard_leave(void);

/* Takes the snapshot of loaded objects that the handler's dl_iterate_phdr
 * reads (under the guard). Returns 0, or -1 when there is none. */
int loader_guard_snapshot(void);

/* In a fork child: nobody else is in the loader any more. */
void loader_guard_after_fork_child(void);

/* ---- thread_timers.c --------------------------------------------------- */

/* Arms a CLOCK_THREAD_CPUTIME_ID timer on every thread of the process (from
 * /proc/self/task) and, until thread_timers_stop, on every thread created
 * through pthread_create. The first expiry of each is uniform in
 * (0, period_ns]. Returns 0, or -1 with errno set when no timer could be
 * armed. */
int thread_timers_start(int64_t period_ns, uint64_t seed);

/* Deletes every timer armed since thread_timers_start. */
void thread_timers_stop(void);

/* Timers armed right now (for tests and the docs' numbers). */
int thread_timers_count(void);

/* In a fork child: the child has no timers; forget the parent's. */
void thread_timers_after_fork_child(void);

/* What a new thread runs first (public for tests): arms a timer for the
 * calling thread, replacing any entry already registered under its thread
 * id (left by an exited thread whose id the kernel reused). */
void thread_timers_attach_self(void);

/* The timer registered for tid, for tests: 0 and *out set, or -1. */
int thread_timers_timer_of(pid_t tid, timer_t *out);

/* ---- mutex_profile.c --------------------------------------------------- */

/* Calls of the pthread_mutex_lock wrapper made inside the SIGPROF handler
 * since the process started (libunwind's allocator locks; they are passed
 * to the real function and never recorded). */
uint64_t mutex_profile_locks_in_handler(void);

/* ---- labels.c ----------------------------------------------------------- */

/* The lock that guards interning (the fork handlers take it too); tests
 * hold it to see that fork waits for it. */
void labels_lock(void);
void labels_unlock(void);

/* ---- sample_export.c --------------------------------------------------- */

struct stack_table;

typedef struct export_info {
    /* values[0] = entry count, values[1] = entry periods * scale */
    pf_value_type types[2]; /* CPU: samples/count, cpu/nanoseconds */
    pf_value_type period_type;
    int64_t period;
    int64_t scale;          /* CPU: the period in ns; mutex: 1 */
    int64_t time_nanos;     /* wall clock at start */
    int64_t duration_nanos; /* wall time from start to stop */
    uint64_t dropped;       /* events not stored (their count) */
    uint64_t dropped_periods;
    const char *comment;    /* the summary line, also printed at stop */
} export_info;

/* Builds the profile of a table (stopped, or read as a snapshot), symbolizing
 * every pc; each entry's label set becomes its sample's labels. NULL with a
 * message in err when out of memory. */
profile *sample_export(const struct stack_table *t, const export_info *info, char *err,
                       size_t errlen);

#pragma GCC visibility pop

#endif
