/* cpuprof.h: the public API of libcpuprof, the bundled sampling CPU profiler.
 *
 * Two ways to use it:
 *   - from code: cpuprof_start("cpu.pb.gz", 100); ... cpuprof_stop();
 *   - with no code change, as gperftools users do:
 *       CPUPROFILE=cpu.pb.gz LD_PRELOAD=/path/libcpuprof.so ./prog
 *     with CPUPROFILE_HZ (default 100) and CPUPROFILE_TIMER=process|thread.
 *
 * The output is a gzipped pprof profile (profile.proto) with sample types
 * samples/count and cpu/nanoseconds; `go tool pprof` and `cpuprof` read it.
 *
 * Also: labels on samples (cpuprof_do, the C form of Go's pprof.Do), a
 * mutex contention profile (cpuprof_mutex_profile_rate) and a push agent
 * for continuous profiling (cpuprof_push_start).
 *
 * Thread safety: start and stop may be called from any thread, but not
 * concurrently with each other; one profile runs at a time per process.
 * The SIGPROF handler is async-signal-safe and never blocks.
 */
#ifndef CPUPROF_H
#define CPUPROF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cpuprof_timer_mode {
    /* setitimer(ITIMER_PROF): one process-wide CPU timer; the kernel picks
     * which running thread gets SIGPROF. Default, like gperftools. */
    CPUPROF_TIMER_PROCESS = 0,
    /* timer_create(CLOCK_THREAD_CPUTIME_ID) per thread (threads created
     * after start included), each delivering SIGPROF to its own thread,
     * first expiry randomized. Accurate with many busy threads. */
    CPUPROF_TIMER_THREAD = 1,
} cpuprof_timer_mode;

typedef struct cpuprof_options {
    int hz;                  /* samples per CPU-second asked for; 0 = 100 */
    cpuprof_timer_mode mode; /* CPUPROF_TIMER_PROCESS by default */
    size_t max_stacks;       /* distinct stacks kept; 0 = 16384 */
    int max_depth;           /* frames kept per stack; 0 = 64 */
} cpuprof_options;

typedef struct cpuprof_stats {
    uint64_t samples;  /* signals that stored a sample */
    uint64_t dropped;  /* samples that could not be stored (table full,
                          re-entry, unwinding refused); they appear in the
                          profile under the pseudo-frame "cpuprof::dropped" */
    uint64_t stacks;   /* distinct stacks stored */
    double requested_hz;
    double achieved_hz; /* samples per CPU-second actually taken */
} cpuprof_stats;

/* Starts profiling into path (written at stop). Returns 0, or -1 with errno
 * set (EBUSY when a profile is already running). */
int cpuprof_start(const char *path, int hz);
int cpuprof_start_opts(const char *path, const cpuprof_options *opts);

/* Stops profiling, symbolizes and writes the profile. Returns 0, or -1 with
 * a one-line message on stderr. */
int cpuprof_stop(void);

/* Stops profiling and returns the gzipped profile in a malloc'ed buffer
 * instead of writing the file given at start (which may be NULL). */
int cpuprof_stop_to_buffer(uint8_t **buf, size_t *len);

/* Counters of the running or last profile. */
void cpuprof_get_stats(cpuprof_stats *out);

/* Serves /debug/pprof/ over HTTP from a thread of its own, like Go's
 * net/http/pprof: GET /debug/pprof/profile?seconds=N answers with a gzipped
 * CPU profile of the next N seconds (docs/http.md). addr is "host:port",
 * ":port" or "port"; without a host it binds 127.0.0.1 only. Port 0 picks a
 * free port. Returns the port listened on, or -1 with errno set (EBUSY when
 * already serving). Also started, with no code change, by the environment
 * variable CPUPROF_HTTP=127.0.0.1:6060 when libcpuprof.so is loaded. */
int cpuprof_http_start(const char *addr);

/* Stops serving: closes the listener, ends a running capture early, and
 * waits for the endpoint's threads to finish. Safe to call when not serving. */
void cpuprof_http_stop(void);

/* ---- labels: the C form of Go's pprof.Do (docs/profiler.md, "Labels") ---- */

typedef struct cpuprof_label {
    const char *key;
    const char *value;
} cpuprof_label;

/* An immutable, interned set of key/value pairs, sorted by key, keys unique.
 * NULL is the empty set. Sets are never freed, so a pointer stays valid for
 * the life of the process and may be handed to any thread. */
typedef struct cpuprof_labelset cpuprof_labelset;

/* Most pairs a set may hold. */
#define CPUPROF_LABELS_MAX 64

/* Runs fn(arg) with the calling thread's label set extended by the n pairs
 * (a pair whose key is already in the set replaces its value; the last of
 * two equal keys wins), then restores the previous set. CPU samples taken
 * meanwhile carry the pairs as pprof labels. Returns 0 after running fn.
 * Returns -1 with errno EINVAL, without running fn, when fn is NULL, a key
 * or value is NULL, or the set would exceed CPUPROF_LABELS_MAX pairs; and
 * -1 with errno ENOMEM after running fn under the unchanged set when the
 * new set could not be stored. Cheap: a set seen before is found again
 * without allocating. */
int cpuprof_do(const cpuprof_label *labels, size_t n, void (*fn)(void *), void *arg);

/* The calling thread's current set (NULL when it has none). A new thread
 * starts with none: pass this pointer to it and call cpuprof_labels_set
 * there to carry labels across pthread_create. */
const cpuprof_labelset *cpuprof_labels_current(void);

/* Installs set (NULL or a pointer obtained from cpuprof_labels_current) as
 * the calling thread's current set. */
void cpuprof_labels_set(const cpuprof_labelset *set);

/* Number of pairs in set (0 for NULL), the i-th pair in key order (NULL
 * when out of range), and the value of key (NULL when absent). */
size_t cpuprof_labelset_len(const cpuprof_labelset *set);
const cpuprof_label *cpuprof_labelset_pair(const cpuprof_labelset *set, size_t i);
const char *cpuprof_label_get(const cpuprof_labelset *set, const char *key);

/* ---- mutex profile (docs/profiler.md, "Mutex profile") ---- */

/* Like Go's runtime.SetMutexProfileFraction: on average 1 in rate contended
 * pthread_mutex_lock calls is recorded (with the waiter's stack and the
 * time it waited), weighted by rate. 0 turns recording off; a negative
 * rate only reads. Returns the previous rate, or -1 with errno ENOMEM when
 * the table could not be allocated (recording stays off). Also set, with
 * no code change, by CPUPROF_MUTEX_RATE=N when libcpuprof.so is loaded. */
int cpuprof_mutex_profile_rate(int rate);

/* Writes everything recorded so far (gzipped pprof, sample types
 * contentions/count and delay/nanoseconds) to path through a temporary file
 * and a rename, and prints one summary line on stderr. Returns 0, or -1 with
 * a one-line message on stderr. Recording continues. */
int cpuprof_mutex_profile_write(const char *path);

/* The same profile in a malloc'ed buffer; prints nothing on success. */
int cpuprof_mutex_profile_to_buffer(uint8_t **buf, size_t *len);

/* ---- push agent: continuous profiling (docs/push.md) ---- */

/* Sends a CPU profile of every period to a Pyroscope-compatible server
 * (POST /ingest, the pprof as a multipart form part named "profile"). */
typedef struct cpuprof_push_options {
    const char *url;            /* "http://host:port[/prefix]"; http only */
    const char *app;            /* application name: letters, digits, _ . - */
    const cpuprof_label *tags;  /* static tags sent in the name: app{k=v,...} */
    size_t ntags;               /* at most CPUPROF_PUSH_MAX_TAGS */
    int period_ms;              /* one profile per period; 0 = 10000 */
    int hz;                     /* samples per CPU-second; 0 = 100 */
    cpuprof_timer_mode mode;    /* CPUPROF_TIMER_PROCESS by default */
    int timeout_ms;             /* per upload; 0 = the period, at most 5000 */
} cpuprof_push_options;

#define CPUPROF_PUSH_MAX_TAGS 16

typedef struct cpuprof_push_stats {
    uint64_t periods;  /* periods ended (profiled or skipped) */
    uint64_t pushed;   /* uploads the server answered with 2xx */
    uint64_t failed;   /* uploads that failed (connect, timeout, non-2xx):
                          their profile was dropped */
    uint64_t skipped;  /* periods not profiled: another profile was running */
    uint64_t bytes;    /* gzipped profile bytes accepted by the server */
    int last_status;   /* HTTP status of the last answer; 0 when none */
    char last_error[160]; /* "" or the last failure, one line */
} cpuprof_push_stats;

/* Starts the agent's thread: every period it profiles (cpuprof_start_opts
 * with no file), stops, and POSTs the profile while the next period is
 * being profiled. Uploads never block the program; a failed upload is
 * counted, reported on stderr once per run of failures, and its data
 * dropped (one profile in memory at a time). A period in which another
 * profile runs (CPUPROFILE, cpuprof_start, a /debug/pprof capture) is
 * skipped and counted. Returns 0, or -1 with errno set: EINVAL for a bad
 * option (with a one-line message on stderr), EBUSY when already running.
 * Also started, with no code change, by CPUPROF_PUSH_URL when
 * libcpuprof.so is loaded (docs/push.md). */
int cpuprof_push_start(const cpuprof_push_options *opts);

/* Ends the current period early, pushes it (waiting at most the upload
 * timeout), stops the thread and prints one summary line on stderr.
 * Returns 0, or -1 when the agent is not running. */
int cpuprof_push_stop(void);

/* Counters of the running or last agent. */
void cpuprof_push_get_stats(cpuprof_push_stats *out);

#ifdef __cplusplus
}
#endif

#endif
