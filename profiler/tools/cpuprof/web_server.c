/* web_server.c: `cpuprof -http=ADDR FILE`, the web UI's HTTP server.
 *
 * Serves, from the binary itself, three routes:
 *   GET /                  the page (assets/flamegraph.html, embedded at
 *                          build time): flame graph, search, top table
 *   GET /flamegraph.json   the merged call tree (web_json.c)
 *   GET /top.json          the top table (web_json.c)
 * The JSON routes take the query parameters focus, ignore, tagfocus,
 * tagignore and sample_index, which replace the command line's for that
 * request; a bad value is answered 400 with the error as JSON.
 *
 * ADDR is "host:port", ":port" or "port"; with no host it binds 127.0.0.1
 * (never every interface unless asked, e.g. "0.0.0.0:8081"); port 0 picks
 * a free one. It prints "Serving web UI on http://HOST:PORT" on stderr and
 * serves until killed.
 *
 * Bounds: one thread per connection, at most MAX_CONN at once (more are
 * answered 503); a request head must fit in 8 KiB and arrive within 5 s
 * (else 431 / 408); the target at most 2 KiB (else 414); only GET and HEAD;
 * every answer closes the connection. Views are computed one at a time
 * (a mutex), each from the read-only session.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "analyzer.h"

#define MAX_HEAD 8192
#define MAX_TARGET 2048
#define MAX_CONN 16
#define HEAD_TIMEOUT_S 5

static const session *sess;
static pthread_mutex_t view_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int active;

typedef struct reply {
    int status;
    const char *type;
    const void *body;
    size_t len;
} reply;

static const char *reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

static void send_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        len -= (size_t)n;
    }
}

static void respond(int fd, const reply *r, bool head_only) {
    char h[512];
    int n = snprintf(h, sizeof(h),
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                     "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; "
                     "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:\r\n"
                     "%sConnection: close\r\n\r\n",
                     r->status, reason(r->status), r->type, r->len,
                     r->status == 405 ? "Allow: GET, HEAD\r\n" : "");
    send_all(fd, h, (size_t)n);
    if (!head_only) send_all(fd, r->body, r->len);
}

static void respond_text(int fd, int status, const char *text) {
    reply r = {status, "text/plain; charset=utf-8", text, strlen(text)};
    respond(fd, &r, false);
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The decoded value of parameter `name` in query q ("a=1&b=2"), malloc'ed;
 * NULL when absent. "+" is a space, %XX a byte. */
static char *query_param(const char *q, const char *name) {
    size_t nlen = strlen(name);
    for (const char *p = q; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, nlen) != 0 || p[nlen] != '=') continue;
        const char *v = p + nlen + 1;
        size_t len = strcspn(v, "&");
        char *out = malloc(len + 1), *o = out;
        if (!out) return NULL;
        for (size_t i = 0; i < len; i++) {
            if (v[i] == '+') {
                *o++ = ' ';
            } else if (v[i] == '%' && i + 2 < len && hexval(v[i + 1]) >= 0 &&
                       hexval(v[i + 2]) >= 0) {
                *o++ = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
                i += 2;
            } else {
                *o++ = v[i];
            }
        }
        *o = '\0';
        return out;
    }
    return NULL;
}

/* Runs one JSON document on a view of the session with the query's
 * settings; fills r with a malloc'ed body (*body). */
static void json_route(const char *query, bool top, reply *r, char **body) {
    settings set;
    settings_copy(&set, &sess->set);
    static const char *const names[] = {"focus", "ignore", "tagfocus", "tagignore",
                                        "sample_index"};
    char **fields[] = {&set.focus, &set.ignore, &set.tagfocus, &set.tagignore,
                       &set.sample_index};
    for (size_t i = 0; query && i < 5; i++) {
        char *v = query_param(query, names[i]);
        if (v) settings_set(fields[i], v);
        free(v);
    }
    char err[512] = "";
    size_t len = 0;
    FILE *m = open_memstream(body, &len);
    view v;
    int rc = -1;
    if (m) {
        pthread_mutex_lock(&view_lock);
        if (session_view(sess, &set, &v, err, sizeof(err)) == 0) {
            rc = top ? web_top_json(m, &v, err, sizeof(err))
                     : web_flamegraph_json(m, &v, err, sizeof(err));
            view_free(&v);
        }
        pthread_mutex_unlock(&view_lock);
        fclose(m);
    }
    if (m && rc < 0) { /* the body becomes the error, as JSON */
        free(*body);
        *body = NULL;
        if ((m = open_memstream(body, &len))) {
            fputs("{\"error\":\"", m);
            for (const char *c = err; *c; c++) {
                if (*c == '"' || *c == '\\') fputc('\\', m);
                fputc((unsigned char)*c < 0x20 ? ' ' : *c, m);
            }
            fputs("\"}\n", m);
            fclose(m);
        }
    }
    settings_free(&set);
    if (!m || !*body) {
        *body = NULL;
        r->status = 500;
        r->type = "text/plain";
        r->body = "out of memory\n";
        r->len = strlen(r->body);
        return;
    }
    r->status = rc < 0 ? 400 : 200;
    r->type = "application/json";
    r->body = *body;
    r->len = len;
}

/* Reads the request head; its length, or -status on failure. */
static int read_head(int fd, char *buf, size_t cap) {
    size_t len = 0;
    while (len < cap - 1) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? -408 : -400;
        if (n == 0) return len ? -400 : 0;
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) return (int)len;
    }
    return -431;
}

static void serve_conn(int fd) {
    char buf[MAX_HEAD + 1];
    int n = read_head(fd, buf, sizeof(buf));
    if (n == 0) return;
    if (n < 0) {
        respond_text(fd, -n, n == -408 ? "request head not complete in time\n"
                             : n == -431 ? "request head larger than 8 KiB\n"
                                         : "malformed request\n");
        return;
    }
    /* Request line: METHOD SP TARGET SP HTTP/1.x */
    char *eol = buf + strcspn(buf, "\r\n");
    *eol = '\0';
    char *sp1 = strchr(buf, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || sp1 == buf || sp2 == sp1 + 1 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
        strchr(sp2 + 1, ' ')) {
        respond_text(fd, 400, "malformed request line\n");
        return;
    }
    *sp1 = *sp2 = '\0';
    const char *method = buf;
    char *target = sp1 + 1;
    if (strlen(target) > MAX_TARGET) {
        respond_text(fd, 414, "request target longer than 2 KiB\n");
        return;
    }
    bool head = strcmp(method, "HEAD") == 0;
    if (!head && strcmp(method, "GET") != 0) {
        respond_text(fd, 405, "only GET and HEAD\n");
        return;
    }
    char *query = strchr(target, '?');
    if (query) *query++ = '\0';
    if (strcmp(target, "/") == 0 || strcmp(target, "/index.html") == 0) {
        reply r = {200, "text/html; charset=utf-8", web_flamegraph_html, web_flamegraph_html_len};
        respond(fd, &r, head);
    } else if (strcmp(target, "/flamegraph.json") == 0 || strcmp(target, "/top.json") == 0) {
        reply r;
        char *body = NULL;
        json_route(query, target[1] == 't', &r, &body);
        respond(fd, &r, head);
        free(body);
    } else {
        respond_text(fd, 404, "not found: the routes are /, /flamegraph.json, /top.json\n");
    }
}

static void *conn_thread(void *arg) {
    int fd = (int)(intptr_t)arg;
    serve_conn(fd);
    shutdown(fd, SHUT_WR);
    close(fd);
    atomic_fetch_sub(&active, 1);
    return NULL;
}

/* Splits addr into host and port; no host means 127.0.0.1. */
static int split_addr(const char *addr, char *host, size_t hlen, char *port, size_t plen) {
    const char *colon = strrchr(addr, ':');
    const char *h = addr, *p = addr;
    size_t n = 0;
    if (colon) {
        p = colon + 1;
        n = (size_t)(colon - addr);
        if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') h++, n -= 2;
        else if (memchr(addr, ':', n)) return -1; /* v6 needs brackets */
    }
    if (!p[0] || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5 || atoi(p) > 65535 ||
        n >= hlen || strlen(p) >= plen)
        return -1;
    if (n == 0)
        snprintf(host, hlen, "127.0.0.1");
    else
        snprintf(host, hlen, "%.*s", (int)n, h);
    snprintf(port, plen, "%s", p);
    return 0;
}

int web_serve(const session *s, const char *addr, char *err, size_t errlen) {
    char host[256], port[8];
    if (split_addr(addr, host, sizeof(host), port, sizeof(port)) < 0) {
        snprintf(err, errlen, "-http=%s: want host:port, :port or port", addr);
        return -1;
    }
    /* The page must exist and the profile give a view before serving. */
    view v;
    if (session_view(s, &s->set, &v, err, errlen) < 0) return -1;
    view_free(&v);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE}, *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "-http=%s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1, e = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 64) == 0) break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "-http=%s: cannot listen: %s", addr, strerror(e));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char hbuf[NI_MAXHOST], pbuf[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof(hbuf), pbuf, sizeof(pbuf),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(err, errlen, "-http=%s: cannot read the bound address", addr);
        close(fd);
        return -1;
    }
    bool v6 = strchr(hbuf, ':') != NULL;
    fprintf(stderr, "Serving web UI on http://%s%s%s:%s\n", v6 ? "[" : "", hbuf, v6 ? "]" : "",
            pbuf);
    fflush(stderr);

    sess = s;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 20);
    for (;;) {
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) usleep(100000);
            continue;
        }
        struct timeval tv = {HEAD_TIMEOUT_S, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        tv.tv_sec = 30;
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (atomic_fetch_add(&active, 1) >= MAX_CONN) {
            atomic_fetch_sub(&active, 1);
            respond_text(c, 503, "too many connections\n");
            close(c);
            continue;
        }
        pthread_t t;
        if (pthread_create(&t, &attr, conn_thread, (void *)(intptr_t)c) != 0) {
            atomic_fetch_sub(&active, 1);
            respond_text(c, 503, "cannot start a thread\n");
            close(c);
        }
    }
}
