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
 * when none runs, -1 on timeout. */
int sampler_wait_handlers(int timeout_ms);

/* ---- loader_guard.c ---------------------------------------------------- */

/* Resolves the real dlopen & co. Idempotent; called at load and at start. */
void loader_guard_init(void);

/* Nonzero while some thread is inside dlopen, dlclose, dlmopen,
 * dl_iterate_phdr (called by the program) or fork. Signal-safe. */
int loader_guard_busy(void);

/* Marks the loader busy and waits until no handler is unwinding, so that no
 * handler runs libunwind while the caller is in the loader. */
void loader_guard_enter(void);
void loader_guard_leave(void);

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
