/* push_agent.c: continuous profiling: a thread that profiles the process
 * period after period and pushes each profile to a Pyroscope-compatible
 * server (cpuprof_push_start, docs/push.md).
 *
 * One period, on the agent's thread:
 *   wait until the period's end (or stop) -> cpuprof_stop_to_buffer ->
 *   cpuprof_start_opts(NULL) for the next period (unless stopping) ->
 *   POST the previous period's profile -> free it.
 * So the profile is continuous (the next period starts before the upload)
 * and at most one profile is held in memory. Periods end on a fixed
 * cadence (start + k * period); an upload slower than a period makes the
 * agent skip the cadence points it missed, never pile up work.
 *
 * Invariants:
 *   - The program's threads never wait for the agent: uploads and their
 *     timeouts happen on the agent's thread only. cpuprof_push_stop waits
 *     for the last upload, at most the upload timeout.
 *   - A failed upload drops its profile; it is counted, and reported on
 *     stderr once per run of consecutive failures (and once when uploads
 *     work again).
 *   - One profile at a time per process: a period whose start finds
 *     another profile running is skipped (counted, reported once per run
 *     of such periods), and the agent tries again next period.
 *   - The agent's thread blocks every asynchronous signal but SIGPROF, so
 *     the program's signal handling (sigwait on SIGTERM...) is unchanged,
 *     and the agent's own CPU shows in the profile under its frames.
 *   - A forked child has no agent (the thread is not copied); it may
 *     start its own.
 */
#include "cpuprof.h"
#include "push_http.h"
#include "push_request.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PERIOD_MS 10000
#define MIN_PERIOD_MS 100
#define MAX_PERIOD_MS 3600000
#define MAX_TIMEOUT_MS 5000

typedef struct agent {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* stop requested (monotonic clock) */
    int running;         /* between start and the end of stop */
    int stopping;
    pthread_t thread;

    push_target target;
    char url[800];    /* http://host_hdr + path, for messages */
    char name[PUSH_NAME_MAX];
    cpuprof_options prof;
    int period_ms, timeout_ms;

    cpuprof_push_stats stats; /* under lock */
    int failing, busy;        /* in a run of failures / of skipped periods */
    uint64_t seed;
} agent;

static agent ag = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec;
}

/* Sleeps until the monotonic time `until` (ms) or a stop request. Returns
 * nonzero when stopping. Called with the lock held. */
static int wait_until(long long until) {
    while (!ag.stopping) {
        long long left = until - mono_ms();
        if (left <= 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ag.wake, &ag.lock, &ts);
    }
    return ag.stopping;
}

/* Starts the next period's profile. Returns 1 when it runs. */
static int begin_period(void) {
    if (cpuprof_start_opts(NULL, &ag.prof) == 0) {
        if (ag.busy)
            fprintf(stderr, "cpuprof: push: profiling again after %d skipped period(s)\n",
                    ag.busy);
        ag.busy = 0;
        return 1;
    }
    int e = errno;
    if (ag.busy++ == 0) {
        if (e == EBUSY)
            fprintf(stderr,
                    "cpuprof: push: another CPU profile is running (CPUPROFILE, cpuprof_start "
                    "or a /debug/pprof capture); periods are skipped until it ends\n");
        else
            fprintf(stderr, "cpuprof: push: cannot start profiling: %s\n", strerror(e));
    }
    return 0;
}

static void record(int status, const char *err, size_t bytes) {
    pthread_mutex_lock(&ag.lock);
    if (status > 0) ag.stats.last_status = status;
    if (status >= 200 && status < 300) {
        ag.stats.pushed++;
        ag.stats.bytes += bytes;
        if (ag.failing)
            fprintf(stderr, "cpuprof: push: %s answered again after %d failed upload(s)\n",
                    ag.url, ag.failing);
        ag.failing = 0;
    } else {
        ag.stats.failed++;
        snprintf(ag.stats.last_error, sizeof ag.stats.last_error, "%s", err);
        if (ag.failing++ == 0)
            fprintf(stderr,
                    "cpuprof: push to %s failed: %s (the profile is dropped; the next period "
                    "is tried as usual)\n", ag.url, err);
    }
    pthread_mutex_unlock(&ag.lock);
}

/* POSTs one period's profile as Pyroscope's clients do: a multipart form
 * with the gzipped pprof in a file part named "profile". */
static void upload(const uint8_t *prof, size_t len, long long from, long long until) {
    char query[PUSH_QUERY_MAX], err[256] = "";
    if (until < from) until = from;
    if (push_make_query(query, sizeof query, ag.name, from, until, ag.prof.hz) < 0) {
        record(-1, "the query does not fit", 0);
        return;
    }
    char boundary[PUSH_BOUNDARY_LEN + 1], pre[256], post[64], ctype[96];
    push_make_boundary(ag.seed++, prof, len, boundary);
    push_multipart_frame(boundary, pre, sizeof pre, post, sizeof post);
    snprintf(ctype, sizeof ctype, "multipart/form-data; boundary=%s", boundary);
    push_piece pieces[] = {{pre, strlen(pre)}, {prof, len}, {post, strlen(post)}};
    int status = push_http_post(&ag.target, query, ctype, pieces, 3, ag.timeout_ms, err,
                                sizeof err);
    record(status, err, len);
}

static void *agent_main(void *arg) {
    (void)arg;
    long long next = mono_ms() + ag.period_ms;
    long long from = wall_s();
    int profiling = begin_period();
    pthread_mutex_lock(&ag.lock);
    for (;;) {
        int stopping = wait_until(next);
        ag.stats.periods++;
        if (!profiling) ag.stats.skipped++;
        pthread_mutex_unlock(&ag.lock);

        uint8_t *buf = NULL;
        size_t len = 0;
        long long until = wall_s();
        if (profiling && cpuprof_stop_to_buffer(&buf, &len) != 0) {
            /* Someone else stopped our profile (cpuprof_stop). */
            record(-1, "the period's profile was stopped by someone else", 0);
            buf = NULL;
        }
        long long prev_from = from;
        profiling = 0;
        if (!stopping) {
            from = until;
            profiling = begin_period();
            long long now = mono_ms();
            next += ag.period_ms;
            if (next <= now) /* an upload outlasted a period: skip ahead */
                next += ((now - next) / ag.period_ms + 1) * ag.period_ms;
        }
        if (buf) upload(buf, len, prev_from, until);
        free(buf);
        pthread_mutex_lock(&ag.lock);
        if (stopping) break;
    }
    pthread_mutex_unlock(&ag.lock);
    return NULL;
}

static void forget_in_child(void) {
    pthread_mutex_init(&ag.lock, NULL);
    ag.running = ag.stopping = 0;
}

static void register_fork_handler(void) {
    pthread_atfork(NULL, NULL, forget_in_child);
}

static int bad(const char *msg) {
    fprintf(stderr, "cpuprof: push: %s\n", msg);
    errno = EINVAL;
    return -1;
}

int cpuprof_push_start(const cpuprof_push_options *o) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handler);
    if (!o) return bad("no options");
    char err[256];
    push_target target;
    char name[PUSH_NAME_MAX];
    if (push_parse_url(o->url, &target, err, sizeof err) < 0) return bad(err);
    if (push_make_name(o->app, o->tags, o->ntags, name, sizeof name, err, sizeof err) < 0)
        return bad(err);
    int period = o->period_ms ? o->period_ms : DEFAULT_PERIOD_MS;
    if (period < MIN_PERIOD_MS || period > MAX_PERIOD_MS) {
        snprintf(err, sizeof err, "period %d ms: want %d to %d", period, MIN_PERIOD_MS,
                 MAX_PERIOD_MS);
        return bad(err);
    }
    int hz = o->hz ? o->hz : 100;
    if (hz < 1 || hz > 10000) return bad("hz: want 1 to 10000");
    if (o->mode != CPUPROF_TIMER_PROCESS && o->mode != CPUPROF_TIMER_THREAD)
        return bad("mode: want CPUPROF_TIMER_PROCESS or CPUPROF_TIMER_THREAD");
    int timeout = o->timeout_ms ? o->timeout_ms
                                : (period < MAX_TIMEOUT_MS ? period : MAX_TIMEOUT_MS);
    if (timeout < 1) return bad("timeout_ms must be positive");

    pthread_mutex_lock(&ag.lock);
    if (ag.running) {
        pthread_mutex_unlock(&ag.lock);
        errno = EBUSY;
        return -1;
    }
    ag.target = target;
    snprintf(ag.url, sizeof ag.url, "http://%s%s", target.host_hdr, target.path);
    memcpy(ag.name, name, sizeof name);
    memset(&ag.prof, 0, sizeof ag.prof);
    ag.prof.hz = hz;
    ag.prof.mode = o->mode;
    ag.period_ms = period;
    ag.timeout_ms = timeout;
    memset(&ag.stats, 0, sizeof ag.stats);
    ag.failing = ag.busy = 0;
    ag.stopping = 0;
    ag.seed = (uint64_t)mono_ms() ^ ((uint64_t)getpid() << 32);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ag.wake, &ca);
    pthread_condattr_destroy(&ca);

    sigset_t all, old;
    sigfillset(&all);
    const int open_sigs[] = {SIGPROF, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (size_t i = 0; i < sizeof open_sigs / sizeof open_sigs[0]; i++)
        sigdelset(&all, open_sigs[i]);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&ag.thread, NULL, agent_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_unlock(&ag.lock);
        errno = rc;
        return -1;
    }
    ag.running = 1;
    pthread_mutex_unlock(&ag.lock);
    fprintf(stderr, "cpuprof: pushing CPU profiles of %s to %s every %g s\n", name, ag.url,
            period / 1000.0);
    return 0;
}

int cpuprof_push_stop(void) {
    pthread_mutex_lock(&ag.lock);
    if (!ag.running || ag.stopping) {
        pthread_mutex_unlock(&ag.lock);
        errno = EINVAL;
        return -1;
    }
    ag.stopping = 1;
    pthread_cond_broadcast(&ag.wake);
    pthread_mutex_unlock(&ag.lock);
    pthread_join(ag.thread, NULL);
    pthread_mutex_lock(&ag.lock);
    ag.running = 0;
    ag.stopping = 0;
    cpuprof_push_stats s = ag.stats;
    pthread_mutex_unlock(&ag.lock);
    fprintf(stderr,
            "cpuprof: push agent stopped: %llu period(s), %llu pushed, %llu failed, "
            "%llu skipped\n",
            (unsigned long long)s.periods, (unsigned long long)s.pushed,
            (unsigned long long)s.failed, (unsigned long long)s.skipped);
    return 0;
}

void cpuprof_push_get_stats(cpuprof_push_stats *out) {
    pthread_mutex_lock(&ag.lock);
    *out = ag.stats;
    pthread_mutex_unlock(&ag.lock);
}
