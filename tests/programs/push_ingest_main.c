/* push_ingest_main.c: a small stand-in for a Pyroscope server, for the
 * push agent's tests and task 12: it takes POST /ingest as Pyroscope does
 * for pprof data, checks every part of the request (push_ingest_parse.c),
 * parses the profile with libprofile, and stores what it accepted.
 *
 *   push_ingest -dir DIR [-addr 127.0.0.1:4040] [-delay-ms N] [-status N]
 *
 * Once listening it prints "listening http://HOST:PORT/" on stdout (port
 * 0 picks a free port). Each accepted push is saved as DIR/push-NNNN.pb.gz
 * (the profile bytes as received) and described by one line of
 * DIR/pushes.log:
 *   seq=1 at_ms=1712345678901 app=shop tags=version:v1,region:eu from=...
 *   until=... spy=cpuprof rate=100 bytes=2345 samples=87 cpu_ns=870000000
 *   config=0 file=push-0001.pb.gz
 * (at_ms: wall clock when the request was read; tags "-" when none; bytes
 * outside [A-Za-z0-9_.:/+@-] in a tag are written %XX). A refused request
 * gets its status and a one-line reason as the body, and a line
 * "seq=N status=S reason=..." in DIR/rejected.log. -delay-ms makes every
 * answer wait (a slow server); -status answers every valid push with that
 * status instead of 200 (a failing server), storing nothing.
 *
 * It serves until SIGINT or SIGTERM, then exits 0.
 *
 * Invariants: the log lines and the files are written under one lock, a
 * line only after its file is complete, so a reader never sees a line
 * whose file is missing.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../../tasks/common/http_server.h"
#include "profile.h"
#include "push_ingest.h"

static struct {
    const char *dir;
    int delay_ms, status;
    pthread_mutex_t lock;
    int seq;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER};

static long long wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static void log_line(const char *file, const char *line) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", srv.dir, file);
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "push_ingest: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    fputs(line, f);
    fclose(f);
}

static void refuse(http_response *w, int seq, const ingest_error *e) {
    char line[600];
    snprintf(line, sizeof line, "seq=%d status=%d reason=%s\n", seq, e->status, e->reason);
    pthread_mutex_lock(&srv.lock);
    log_line("rejected.log", line);
    pthread_mutex_unlock(&srv.lock);
    fprintf(stderr, "push_ingest: refused push %d: %d %s\n", seq, e->status, e->reason);
    http_response_status(w, e->status);
    http_response_printf(w, "%s\n", e->reason);
}

/* Appends s to out, %XX-escaping what the log format reserves. */
static size_t put_escaped(char *out, size_t n, size_t o, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s && o + 4 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("_.:/+@-", c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return o;
}

static void tags_text(const ingest_meta *m, char *out, size_t n) {
    size_t o = 0;
    out[0] = '\0';
    if (m->ntags == 0) {
        snprintf(out, n, "-");
        return;
    }
    for (int i = 0; i < m->ntags; i++) {
        if (i && o + 1 < n) out[o++] = ',';
        o = put_escaped(out, n, o, m->tags[i].key);
        if (o + 1 < n) out[o++] = ':';
        o = put_escaped(out, n, o, m->tags[i].value);
    }
}

static int write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

static void ingest(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    long long at = wall_ms();
    pthread_mutex_lock(&srv.lock);
    int seq = ++srv.seq;
    pthread_mutex_unlock(&srv.lock);
    ingest_error e = {0, ""};
    if (strcmp(req->path, "/ingest") != 0) {
        e.status = 404;
        snprintf(e.reason, sizeof e.reason, "no route %s (the endpoint is /ingest)", req->path);
        refuse(w, seq, &e);
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        e.status = 405;
        snprintf(e.reason, sizeof e.reason, "method %s: /ingest takes POST", req->method);
        refuse(w, seq, &e);
        return;
    }
    ingest_meta m;
    const char *prof = NULL;
    size_t plen = 0;
    int config = 0;
    if (ingest_parse_query(req->query, &m, &e) < 0 ||
        ingest_find_profile(&m, http_request_header(req, "Content-Type"), req->body,
                            req->body_len, &prof, &plen, &config, &e) < 0) {
        refuse(w, seq, &e);
        return;
    }
    profile *p = NULL;
    char perr[256];
    if (profile_parse(prof, plen, &p, perr, sizeof perr) < 0) {
        e.status = 422;
        snprintf(e.reason, sizeof e.reason, "the profile does not parse: %s", perr);
        refuse(w, seq, &e);
        return;
    }
    int cpu = profile_value_index(p, "cpu");
    long long samples = 0, cpu_ns = 0;
    int si = profile_value_index(p, "samples");
    for (size_t i = 0; i < p->nsamples; i++) {
        if (si >= 0) samples += p->samples[i].values[si];
        if (cpu >= 0) cpu_ns += p->samples[i].values[cpu];
    }
    profile_free(p);
    if (cpu < 0) {
        e.status = 422;
        snprintf(e.reason, sizeof e.reason, "the profile has no cpu sample type");
        refuse(w, seq, &e);
        return;
    }
    if (srv.delay_ms > 0) nap_ms(srv.delay_ms);
    if (srv.status) {
        http_response_status(w, srv.status);
        http_response_printf(w, "answering %d as asked (-status)\n", srv.status);
        return;
    }
    char file[64], path[PATH_MAX], tags[2048], app[INGEST_STR * 3 + 8], spy[INGEST_STR * 3 + 8];
    snprintf(file, sizeof file, "push-%04d.pb.gz", seq);
    snprintf(path, sizeof path, "%s/%s", srv.dir, file);
    tags_text(&m, tags, sizeof tags);
    put_escaped(app, sizeof app, 0, m.app);
    put_escaped(spy, sizeof spy, 0, m.spy);
    char line[4096];
    snprintf(line, sizeof line,
             "seq=%d at_ms=%lld app=%s tags=%s from=%lld until=%lld spy=%s rate=%ld bytes=%zu "
             "samples=%lld cpu_ns=%lld config=%d file=%s\n",
             seq, at, app, tags, m.from, m.until, spy, m.sample_rate, plen, samples, cpu_ns,
             config, file);
    pthread_mutex_lock(&srv.lock);
    int ok = write_file(path, prof, plen) == 0;
    if (ok) log_line("pushes.log", line);
    pthread_mutex_unlock(&srv.lock);
    if (!ok) {
        http_response_status(w, 500);
        http_response_printf(w, "cannot store %s: %s\n", path, strerror(errno));
        return;
    }
    http_response_printf(w, "ok\n");
}

static int usage(const char *msg, const char *arg) {
    fprintf(stderr,
            "push_ingest: %s%s%s (usage: push_ingest -dir DIR [-addr HOST:PORT] "
            "[-delay-ms N] [-status N])\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

static int int_arg(const char *s, int lo, int hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv) {
    const char *addr = "127.0.0.1:4040";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) return usage("missing value for", a);
        const char *v = argv[++i];
        if (strcmp(a, "-dir") == 0) srv.dir = v;
        else if (strcmp(a, "-addr") == 0) addr = v;
        else if (strcmp(a, "-delay-ms") == 0) {
            if (int_arg(v, 0, 600000, &srv.delay_ms) < 0) return usage("bad -delay-ms", v);
        } else if (strcmp(a, "-status") == 0) {
            if (int_arg(v, 200, 599, &srv.status) < 0) return usage("bad -status", v);
        } else {
            return usage("unknown flag", a);
        }
    }
    if (!srv.dir) return usage("-dir is required", NULL);
    if (mkdir(srv.dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "push_ingest: cannot create %s: %s\n", srv.dir, strerror(errno));
        return 1;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    http_server *s = http_server_start(addr, 4, ingest, NULL);
    if (!s) {
        fprintf(stderr, "push_ingest: cannot listen on %s: %s\n", addr, strerror(errno));
        return 1;
    }
    const char *colon = strrchr(addr, ':');
    int hl = colon ? (int)(colon - addr) : 0;
    printf("listening http://%.*s:%d/\n", hl ? hl : 9, hl ? addr : "127.0.0.1",
           http_server_port(s));
    fflush(stdout);
    int sig;
    while (sigwait(&stop, &sig) != 0) {}
    http_server_stop(s);
    return 0;
}
