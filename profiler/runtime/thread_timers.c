/* thread_timers.c: per-thread CPU timers (CPUPROFILE_TIMER=thread).
 *
 * Each thread gets its own POSIX timer on its own CPU clock, delivering
 * SIGPROF to that thread only (SIGEV_THREAD_ID), so every thread is sampled
 * in proportion to the CPU it burns, however many threads are busy.
 *   - Threads running at start are found in /proc/self/task. The CPU clock
 *     of any thread of the process, by tid, is the kernel's
 *     MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED) = (~tid << 3) | 6 (Go's
 *     runtime arms its per-thread profiling timers the same way).
 *   - Threads created later arm their own timer first thing: pthread_create
 *     is interposed and wraps the start routine.
 *   - The first expiry of each timer is uniform in (0, period], so a
 *     thread that lives less than a period still gets its fair share of
 *     samples (golang/go#35057).
 *   - A timer is deleted at stop, and at exit of a thread that armed it
 *     itself (a thread-specific key's destructor).
 *
 * Invariants: the registry (tid, timer) is touched only under `lock`, never
 * from the signal handler; a tid is in the registry at most once, so a
 * thread is never armed twice; after a fork the child has no timers and
 * forgets the parent's registry. Threads armed from /proc/self/task have no
 * exit hook, so their entries outlive them; a new thread therefore always
 * replaces the entry under its own tid (the kernel reuses tids) instead of
 * trusting it.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sampler_internal.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

typedef struct armed {
    pid_t tid;
    timer_t timer;
} armed;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static armed *reg;
static size_t nreg, capreg;
static _Atomic int active; /* between start and stop; written under lock */
static int64_t period;    /* ns */
static uint64_t rng;      /* xorshift64 state, under lock */
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static clockid_t thread_cpu_clock(pid_t tid) {
    return (clockid_t)((~(unsigned)tid << 3) | 6u);
}

static uint64_t next_random(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static armed *entry_of(pid_t tid) {
    for (size_t i = 0; i < nreg; i++)
        if (reg[i].tid == tid) return &reg[i];
    return NULL;
}

/* Arms a timer for tid. With `replace`, an entry already registered for tid
 * gets the new timer and its old one is deleted; without, such a tid is
 * left alone. Under lock. Returns 0 or -1 with errno set. */
static int arm_locked(pid_t tid, int replace) {
    armed *old = entry_of(tid);
    if (old && !replace) return 0;
    if (!old && nreg == capreg) {
        size_t cap = capreg ? capreg * 2 : 16;
        armed *n = realloc(reg, cap * sizeof *n);
        if (!n) return -1;
        reg = n;
        capreg = cap;
    }
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGPROF;
    sev.sigev_notify_thread_id = tid;
    timer_t t;
    if (timer_create(thread_cpu_clock(tid), &sev, &t) != 0) return -1;
    int64_t first = 1 + (int64_t)(next_random() % (uint64_t)period);
    struct itimerspec its = {
        .it_interval = {.tv_sec = period / 1000000000, .tv_nsec = period % 1000000000},
        .it_value = {.tv_sec = first / 1000000000, .tv_nsec = first % 1000000000},
    };
    if (timer_settime(t, 0, &its, NULL) != 0) {
        int e = errno;
        timer_delete(t);
        errno = e;
        return -1;
    }
    if (old) {
        /* Created before deleting, so the new id differs from the old. */
        timer_delete(old->timer);
        old->timer = t;
        return 0;
    }
    reg[nreg].tid = tid;
    reg[nreg].timer = t;
    nreg++;
    return 0;
}

static void disarm_locked(pid_t tid) {
    for (size_t i = 0; i < nreg; i++) {
        if (reg[i].tid != tid) continue;
        timer_delete(reg[i].timer);
        reg[i] = reg[--nreg];
        return;
    }
}

static void on_thread_exit(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    disarm_locked(gettid());
    pthread_mutex_unlock(&lock);
}

static void make_key(void) {
    pthread_key_create(&exit_key, on_thread_exit);
}

/* Called first thing in every thread created through pthread_create. An
 * entry under this tid is stale (an exited thread's, or one armed from
 * /proc a moment ago): replace it. */
void thread_timers_attach_self(void) {
    /* Fast path with no profile: a start racing with this thread's birth
     * finds it in /proc/self/task anyway. */
    if (!atomic_load(&active)) return;
    pthread_once(&key_once, make_key);
    pthread_mutex_lock(&lock);
    if (active && arm_locked(gettid(), 1) == 0) pthread_setspecific(exit_key, (void *)1);
    pthread_mutex_unlock(&lock);
}

int thread_timers_timer_of(pid_t tid, timer_t *out) {
    pthread_mutex_lock(&lock);
    armed *e = entry_of(tid);
    if (e) *out = e->timer;
    pthread_mutex_unlock(&lock);
    return e ? 0 : -1;
}

int thread_timers_start(int64_t period_ns, uint64_t seed) {
    pthread_once(&key_once, make_key);
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    pthread_mutex_lock(&lock);
    period = period_ns > 0 ? period_ns : 10000000;
    rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
    active = 1;
    int armed_any = 0, err = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end || tid <= 0) continue;
        /* A thread may exit between readdir and timer_create: skip it. */
        if (arm_locked((pid_t)tid, 0) == 0) armed_any = 1;
        else err = errno;
    }
    if (!armed_any) active = 0;
    pthread_mutex_unlock(&lock);
    closedir(d);
    if (!armed_any) {
        errno = err ? err : ESRCH;
        return -1;
    }
    return 0;
}

void thread_timers_stop(void) {
    pthread_mutex_lock(&lock);
    active = 0;
    for (size_t i = 0; i < nreg; i++) timer_delete(reg[i].timer);
    nreg = 0;
    pthread_mutex_unlock(&lock);
}

int thread_timers_count(void) {
    pthread_mutex_lock(&lock);
    int n = (int)nreg;
    pthread_mutex_unlock(&lock);
    return n;
}

void thread_timers_after_fork_child(void) {
    /* Timers are not inherited, and the lock may have been held by a thread
     * that does not exist in the child. */
    pthread_mutex_init(&lock, NULL);
    active = 0;
    nreg = 0;
}

/* ---- pthread_create interposition ---------------------------------------- */

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

typedef struct trampoline {
    void *(*start)(void *);
    void *arg;
} trampoline;

static void *thread_start(void *p) {
    trampoline t = *(trampoline *)p;
    free(p);
    thread_timers_attach_self();
    return t.start(t.arg);
}

int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
    static _Atomic(create_fn) real;
    create_fn fn = atomic_load(&real);
    if (!fn) {
        void *sym = dlsym(RTLD_NEXT, "pthread_create");
        if (!sym) return EAGAIN;
        memcpy(&fn, &sym, sizeof fn);
        atomic_store(&real, fn);
    }
    trampoline *t = malloc(sizeof *t);
    if (!t) return fn(th, attr, start, arg);
    t->start = start;
    t->arg = arg;
    int rc = fn(th, attr, thread_start, t);
    if (rc != 0) free(t);
    return rc;
}
