/* http_endpoint.c: the /debug/pprof HTTP endpoint of libcpuprof, modelled on
 * Go's net/http/pprof: profile (CPU), mutex, cmdline and the index page.
 *
 * Threads: one accept thread, and one detached thread per connection, at
 * most MAX_CONNS at a time (the next ones get 503 and are closed). Each
 * connection carries one request and is then closed.
 *
 * Invariants:
 *   - A request head is at most CPUPROF_HTTP_MAX_HEAD bytes and must arrive
 *     within READ_TIMEOUT_MS; a slow or malformed client costs one thread
 *     for at most that long and never blocks the others.
 *   - At most one capture runs at a time; a second request gets 500 with
 *     "Could not enable CPU profiling: cpu profiling already in use", as Go
 *     answers. A profile started by the program itself (cpuprof_start or
 *     CPUPROFILE) makes cpuprof_start_opts fail with EBUSY: same answer.
 *   - The endpoint's threads block every asynchronous signal, SIGPROF
 *     included: the profiler's handler never runs on them, so they never
 *     show up as samples, and the program's own handlers (SIGINT, SIGCHLD,
 *     ...) keep running on the program's threads. The price is that CPU
 *     time the endpoint spends while a capture runs is charged to another
 *     thread; it is a few microseconds of polling, since stopping,
 *     symbolizing and compressing all happen after the timer is disarmed.
 *   - cpuprof_http_stop wakes every thread through one pipe, ends a running
 *     capture early (the partial profile is still sent) and returns only
 *     when no endpoint thread remains.
 *   - A forked child starts with no endpoint (its inherited listener is
 *     closed); it may call cpuprof_http_start on its own.
 */
#include "cpuprof.h"
#include "http_listen.h"
#include "http_request.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 16
#define READ_TIMEOUT_MS 5000
#define SEND_TIMEOUT_S 10
#define DEFAULT_SECONDS 30
#define MAX_SECONDS 3600

static const char busy_msg[] =
    "Could not enable CPU profiling: cpu profiling already in use\n";

static struct {
    pthread_mutex_t lock;
    pthread_cond_t idle;   /* signalled when active drops to 0 */
    int serving;           /* between a successful start and stop */
    int stopping;
    int listen_fd;
    int wake[2];           /* stop writes a byte; every poll watches [0] */
    pthread_t acceptor;
    int active;            /* connection threads alive */
} ep = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .idle = PTHREAD_COND_INITIALIZER,
    .listen_fd = -1,
    .wake = {-1, -1},
};

static atomic_int capturing; /* 1 while this endpoint owns a capture */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Sends a complete response; extra holds additional header lines, each
 * ending in CRLF. The connection is always closed afterwards. */
static void respond(int fd, int status, const char *type, const char *extra,
                    const void *body, size_t len) {
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "X-Content-Type-Options: nosniff\r\n"
                     "Connection: close\r\n"
                     "%s\r\n",
                     status, cpuprof_http_reason(status), type, len,
                     extra ? extra : "");
    if (n < 0 || (size_t)n >= sizeof head) return;
    if (send_all(fd, head, (size_t)n) == 0 && len > 0) send_all(fd, body, len);
}

/* A plain-text error, marked like Go's ("X-Go-Pprof: 1"). */
static void respond_error(int fd, int status, const char *msg) {
    respond(fd, status, "text/plain; charset=utf-8", "X-Go-Pprof: 1\r\n", msg,
            strlen(msg));
}

/* Reads until a whole head is parsed. Returns 0 with req filled, an HTTP
 * status to answer with, or -1 when the connection should just be closed
 * (client gone, endpoint stopping). */
static int read_head(int fd, cpuprof_http_request *req) {
    char buf[CPUPROF_HTTP_MAX_HEAD];
    size_t len = 0;
    long long deadline = now_ms() + READ_TIMEOUT_MS;
    for (;;) {
        int st = cpuprof_http_parse(buf, len, req);
        if (st != CPUPROF_HTTP_NEED_MORE) return st;
        long long left = deadline - now_ms();
        if (left <= 0) return 408;
        struct pollfd pf[2] = {{fd, POLLIN, 0}, {ep.wake[0], POLLIN, 0}};
        int r = poll(pf, 2, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 || pf[1].revents) return -1;
        if (r == 0) return 408;
        ssize_t n = recv(fd, buf + len, sizeof buf - len, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return -1;
        len += (size_t)n;
    }
}

/* Waits up to ms milliseconds. Returns 1 when the client went away, 0
 * otherwise (time is up, or the endpoint is stopping: end early). */
static int capture_wait(int fd, long long ms) {
    long long deadline = now_ms() + ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd pf[2] = {{fd, POLLIN, 0}, {ep.wake[0], POLLIN, 0}};
        int r = poll(pf, 2, left > 1000 ? 1000 : (int)left);
        if (r < 0 && errno != EINTR) return 0;
        if (r <= 0) continue;
        if (pf[1].revents) return 0;
        if (pf[0].revents & (POLLERR | POLLHUP)) return 1;
        if (pf[0].revents & POLLIN) {
            char scratch[512]; /* bytes after the request: discarded */
            ssize_t n = recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return 1;
        }
    }
}

/* Copies the raw value of key in query ("a=1&timer=thread") into out.
 * Returns 1 when found, 0 when absent, -1 when the value is too long. */
static int query_raw(const char *query, const char *key, char *out, size_t n) {
    size_t kl = strlen(key);
    for (const char *p = query; p; p = strchr(p, '&'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, kl) != 0 || p[kl] != '=') continue;
        const char *v = p + kl + 1;
        size_t vl = strcspn(v, "&");
        if (vl >= n) return -1;
        memcpy(out, v, vl);
        out[vl] = '\0';
        return 1;
    }
    return 0;
}

static void serve_profile(int fd, const cpuprof_http_request *req) {
    long seconds = DEFAULT_SECONDS;
    int q = cpuprof_http_query_int(req->query, "seconds", 1, MAX_SECONDS, &seconds);
    if (q < 0) {
        respond_error(fd, 400,
                      "Bad seconds: want an integer from 1 to 3600\n");
        return;
    }
    long hz = 0;
    if (cpuprof_http_query_int(req->query, "hz", 1, 10000, &hz) < 0) {
        respond_error(fd, 400, "Bad hz: want an integer from 1 to 10000\n");
        return;
    }
    cpuprof_timer_mode mode = CPUPROF_TIMER_PROCESS;
    char timer[16] = "process";
    int t = query_raw(req->query, "timer", timer, sizeof timer);
    if (t >= 0 && strcmp(timer, "thread") == 0) {
        mode = CPUPROF_TIMER_THREAD;
    } else if (t < 0 || strcmp(timer, "process") != 0) {
        respond_error(fd, 400, "Bad timer: want process or thread\n");
        return;
    }
    int expected = 0;
    if (!atomic_compare_exchange_strong(&capturing, &expected, 1)) {
        respond_error(fd, 500, busy_msg);
        return;
    }
    cpuprof_options opts;
    memset(&opts, 0, sizeof opts);
    opts.hz = (int)hz;
    opts.mode = mode;
    if (cpuprof_start_opts(NULL, &opts) != 0) {
        int err = errno;
        atomic_store(&capturing, 0);
        if (err == EBUSY) {
            respond_error(fd, 500, busy_msg);
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "Could not enable CPU profiling: %s\n",
                     strerror(err));
            respond_error(fd, 500, msg);
        }
        return;
    }
    int gone = capture_wait(fd, seconds * 1000LL);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = cpuprof_stop_to_buffer(&buf, &len);
    atomic_store(&capturing, 0);
    if (gone) {
        free(buf);
        return;
    }
    if (rc != 0) {
        respond_error(fd, 500, "Could not write CPU profile\n");
    } else {
        respond(fd, 200, "application/octet-stream",
                "Content-Disposition: attachment; filename=\"profile\"\r\n",
                buf, len);
    }
    free(buf);
}

/* The mutex profile recorded so far (cumulative, as Go's is without
 * ?seconds), gzipped. Go's delta form (?seconds=N) is not offered: a
 * request naming it gets 400 rather than a silently different profile. */
static void serve_mutex(int fd, const cpuprof_http_request *req) {
    char scratch[32];
    if (query_raw(req->query, "seconds", scratch, sizeof scratch) != 0) {
        respond_error(fd, 400,
                      "seconds is not supported for mutex: the profile is cumulative\n");
        return;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (cpuprof_mutex_profile_to_buffer(&buf, &len) != 0) {
        respond_error(fd, 500, "Could not write mutex profile\n");
        return;
    }
    respond(fd, 200, "application/octet-stream",
            "Content-Disposition: attachment; filename=\"mutex\"\r\n", buf, len);
    free(buf);
}

/* The command line with arguments separated by NUL bytes, as Go sends it
 * (no NUL after the last one). */
static void serve_cmdline(int fd) {
    char buf[16384];
    size_t len = 0;
    int in = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (in >= 0) {
        ssize_t n;
        while (len < sizeof buf &&
               (n = read(in, buf + len, sizeof buf - len)) > 0)
            len += (size_t)n;
        close(in);
    }
    if (len > 0 && buf[len - 1] == '\0') len--;
    respond(fd, 200, "text/plain; charset=utf-8", NULL, buf, len);
}

static const char index_html[] =
    "<!DOCTYPE html>\n<html>\n<head><title>/debug/pprof/</title></head>\n"
    "<body>\n<h1>/debug/pprof/</h1>\n"
    "<p>CPU profiles of this process, served by libcpuprof.</p>\n"
    "<table>\n"
    "<tr><td><a href=\"profile?seconds=30\">profile</a></td>"
    "<td>a CPU profile of the next <code>seconds</code> seconds "
    "(default 30, 1 to 3600), gzipped pprof format; optional "
    "<code>hz</code> (samples per CPU-second, default 100) and "
    "<code>timer=process|thread</code></td></tr>\n"
    "<tr><td><a href=\"mutex\">mutex</a></td>"
    "<td>time spent waiting for pthread mutexes, by the waiter's call "
    "site, since recording was turned on (<code>cpuprof_mutex_profile_rate</code> "
    "or <code>CPUPROF_MUTEX_RATE</code>); empty while it is off</td></tr>\n"
    "<tr><td><a href=\"cmdline\">cmdline</a></td>"
    "<td>the command line of this process, arguments separated by NUL</td></tr>\n"
    "</table>\n"
    "<p>Read a profile with <code>cpuprof -top</code> or "
    "<code>go tool pprof</code>:</p>\n"
    "<pre>curl -o cpu.pb.gz 'http://HOST/debug/pprof/profile?seconds=10'\n"
    "cpuprof -top cpu.pb.gz</pre>\n"
    "</body>\n</html>\n";

static void serve(int fd) {
    cpuprof_http_request req;
    int st = read_head(fd, &req);
    if (st < 0) return;
    if (st != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "%d %s\n", st, cpuprof_http_reason(st));
        respond_error(fd, st, msg);
        return;
    }
    if (strcmp(req.method, "GET") != 0) {
        respond(fd, 405, "text/plain; charset=utf-8", "Allow: GET\r\n",
                "405 Method Not Allowed: only GET\n", 33);
        return;
    }
    if (strcmp(req.path, "/debug/pprof") == 0) {
        respond(fd, 301, "text/plain; charset=utf-8",
                "Location: /debug/pprof/\r\n", NULL, 0);
    } else if (strcmp(req.path, "/debug/pprof/") == 0) {
        respond(fd, 200, "text/html; charset=utf-8", NULL, index_html,
                sizeof index_html - 1);
    } else if (strcmp(req.path, "/debug/pprof/profile") == 0) {
        serve_profile(fd, &req);
    } else if (strcmp(req.path, "/debug/pprof/mutex") == 0) {
        serve_mutex(fd, &req);
    } else if (strcmp(req.path, "/debug/pprof/cmdline") == 0) {
        serve_cmdline(fd);
    } else {
        respond(fd, 404, "text/plain; charset=utf-8", NULL,
                "404 page not found\n", 19);
    }
}

static void conn_done(void) {
    pthread_mutex_lock(&ep.lock);
    if (--ep.active == 0) pthread_cond_broadcast(&ep.idle);
    pthread_mutex_unlock(&ep.lock);
}

static void *conn_main(void *arg) {
    int fd = (int)(intptr_t)arg;
    struct timeval tv = {SEND_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    serve(fd);
    close(fd);
    conn_done();
    return NULL;
}

/* Tells an extra connection to come back later, without waiting on it. */
static void refuse(int fd) {
    static const char r[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        "Content-Length: 24\r\nConnection: close\r\n\r\n"
        "too many connections :(\n";
    send(fd, r, sizeof r - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
}

static void *accept_main(void *arg) {
    (void)arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        struct pollfd pf[2] = {{ep.listen_fd, POLLIN, 0}, {ep.wake[0], POLLIN, 0}};
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pf[1].revents) break;
        int fd = accept4(ep.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) poll(NULL, 0, 100);
            continue;
        }
        pthread_mutex_lock(&ep.lock);
        int ok = ep.active < MAX_CONNS;
        if (ok) ep.active++;
        pthread_mutex_unlock(&ep.lock);
        if (!ok) {
            refuse(fd);
            continue;
        }
        pthread_t t;
        if (pthread_create(&t, &attr, conn_main, (void *)(intptr_t)fd) != 0) {
            refuse(fd);
            conn_done();
        }
    }
    pthread_attr_destroy(&attr);
    return NULL;
}

/* Creates a thread with every asynchronous signal blocked (see the top of
 * this file); the synchronous ones stay open so a fault still kills. */
static int spawn_masked(pthread_t *t, void *(*fn)(void *)) {
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGTRAP);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(t, NULL, fn, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* In a forked child the endpoint's threads do not exist: forget them, and
 * close the inherited listener so the parent alone owns the port. The lock
 * is re-initialized because a parent thread may have held it at fork. */
static void forget_in_child(void) {
    pthread_mutex_init(&ep.lock, NULL);
    pthread_cond_init(&ep.idle, NULL);
    if (ep.serving) {
        close(ep.listen_fd);
        close(ep.wake[0]);
        close(ep.wake[1]);
    }
    ep.listen_fd = ep.wake[0] = ep.wake[1] = -1;
    ep.serving = ep.stopping = ep.active = 0;
    atomic_store(&capturing, 0);
}

static void register_fork_handler(void) {
    pthread_atfork(NULL, NULL, forget_in_child);
}

static int start_locked(const char *addr, char *where, size_t n) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handler);
    if (ep.serving) {
        errno = EBUSY;
        return -1;
    }
    int port;
    int fd = cpuprof_http_listen(addr, &port, where, n);
    if (fd < 0) return -1;
    if (pipe2(ep.wake, O_CLOEXEC) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    ep.listen_fd = fd;
    ep.stopping = 0;
    int rc = spawn_masked(&ep.acceptor, accept_main);
    if (rc != 0) {
        close(fd);
        close(ep.wake[0]);
        close(ep.wake[1]);
        ep.listen_fd = ep.wake[0] = ep.wake[1] = -1;
        errno = rc;
        return -1;
    }
    ep.serving = 1;
    return port;
}

int cpuprof_http_start(const char *addr) {
    char where[96];
    pthread_mutex_lock(&ep.lock);
    int port = start_locked(addr, where, sizeof where);
    pthread_mutex_unlock(&ep.lock);
    return port;
}

void cpuprof_http_stop(void) {
    pthread_mutex_lock(&ep.lock);
    if (!ep.serving || ep.stopping) {
        pthread_mutex_unlock(&ep.lock);
        return;
    }
    ep.stopping = 1;
    pthread_mutex_unlock(&ep.lock);

    char b = 1;
    while (write(ep.wake[1], &b, 1) < 0 && errno == EINTR) {}
    pthread_join(ep.acceptor, NULL);
    close(ep.listen_fd);

    pthread_mutex_lock(&ep.lock);
    while (ep.active > 0) pthread_cond_wait(&ep.idle, &ep.lock);
    close(ep.wake[0]);
    close(ep.wake[1]);
    ep.listen_fd = ep.wake[0] = ep.wake[1] = -1;
    ep.serving = 0;
    ep.stopping = 0;
    pthread_mutex_unlock(&ep.lock);
}

/* CPUPROF_HTTP=addr starts the endpoint when the library is loaded. It only
 * starts a thread: it never starts a profile, so CPUPROFILE is unaffected
 * (while a CPUPROFILE profile runs, captures answer "already in use"). */
__attribute__((constructor)) static void http_from_env(void) {
    const char *addr = getenv("CPUPROF_HTTP");
    if (!addr || !*addr) return;
    char where[96];
    pthread_mutex_lock(&ep.lock);
    int port = start_locked(addr, where, sizeof where);
    pthread_mutex_unlock(&ep.lock);
    if (port < 0)
        fprintf(stderr, "cpuprof: CPUPROF_HTTP=%s: cannot serve: %s\n", addr,
                strerror(errno));
    else
        fprintf(stderr, "cpuprof: serving http://%s/debug/pprof/\n", where);
}
