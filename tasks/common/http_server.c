/* http_server.c: the exercises' HTTP/1.1 server: a poller thread, a bounded
 * queue of ready connections and a fixed pool of workers (http_server.h).
 *
 * Connection life: accepted by the poller and registered in epoll with
 * EPOLLONESHOT (state IDLE); when readable the poller marks it BUSY and
 * queues it; one worker reads and answers requests on it until its input
 * buffer is empty, then marks it IDLE and re-arms it, or closes it.
 *
 * Invariants:
 *   - A connection is owned by exactly one side at a time: the poller while
 *     IDLE (only the poller closes idle ones), one worker while BUSY. The
 *     state moves under s->lock.
 *   - A connection fd is queued at most once, so a queue of HTTP_MAX_CONNS
 *     slots never overflows.
 *   - A worker gives a connection back only with no unread request bytes
 *     buffered (pipelined requests are answered first).
 *   - Reading one request is bounded in size (HTTP_MAX_HEAD + HTTP_MAX_BODY)
 *     and in time (HTTP_READ_TIMEOUT_MS), so a slow client holds a worker
 *     for at most that long.
 */
#include "http_server.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NEED_MORE 1
#define MAX_FD 65536

enum { FREE = 0, IDLE, BUSY };

typedef struct conn_slot {
    unsigned char state;
    long long last_ms;   /* when it last became IDLE */
} conn_slot;

struct http_server {
    int listen_fd, epfd, wakefd, port;
    http_handler fn;
    void *arg;
    pthread_t poller;
    pthread_t *workers;
    int nworkers;

    pthread_mutex_t lock;
    pthread_cond_t ready;  /* the queue became non-empty, or stopping */
    int queue[HTTP_MAX_CONNS];
    int qhead, qlen;
    int stopping;
    int nconns;
    conn_slot *conns;      /* indexed by fd, MAX_FD entries */
};

struct http_response {
    int status;
    int has_type;
    char head[2048];
    size_t head_len;
    char *body;
    size_t body_len, body_cap;
};

/* What the worker learns from a request head besides http_request. */
typedef struct head_info {
    size_t head_len;
    long long content_length;
    int keep_alive;
    int expect_continue;
} head_info;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *http_status_text(int status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:  return "Unknown";
    }
}

/* ---- request parsing ---------------------------------------------------- */

static int is_tchar(int c) {
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static char *trim(char *s, char *e) {
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *e = '\0';
    return s;
}

static int has_token(const char *list, const char *tok) {
    size_t n = strlen(tok);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t') p++;
        const char *q = p;
        while (*q && *q != ',' && *q != ' ' && *q != '\t') q++;
        if ((size_t)(q - p) == n && strncasecmp(p, tok, n) == 0) return 1;
        p = q;
    }
    return 0;
}

static int parse_request_line(char *s, char *e, http_request *r) {
    char *sp1 = s;
    while (sp1 < e && is_tchar((unsigned char)*sp1)) sp1++;
    if (sp1 == s || sp1 >= e || *sp1 != ' ') return 400;
    char *t = sp1 + 1, *sp2 = t;
    while (sp2 < e && *sp2 != ' ') {
        if ((unsigned char)*sp2 <= 0x20 || *sp2 == 0x7f) return 400;
        sp2++;
    }
    if (sp2 == t || sp2 >= e || *t != '/') return 400;
    char *v = sp2 + 1;
    if (e - v != 8 || memcmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) ||
        v[6] != '.' || !isdigit((unsigned char)v[7]))
        return 400;
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return 505;
    r->minor = v[7] - '0';
    *sp1 = '\0';
    *sp2 = '\0';
    r->method = s;
    char *q = strchr(t, '?');
    if (q) *q = '\0';
    r->path = t;
    r->query = q && q[1] ? q + 1 : ""; /* "" is never in the buffer */
    return 0;
}

/* Parses the head in buf[0..len), writing NULs into it. Returns 0,
 * NEED_MORE, or the HTTP status to answer with. */
static int parse_head(char *buf, size_t len, http_request *r, head_info *h) {
    memset(r, 0, sizeof *r);
    memset(h, 0, sizeof *h);
    h->content_length = -1;

    char *end = NULL;
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] == '\n' && (buf[i + 1] == '\n' ||
                               (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n'))) {
            end = buf + i + (buf[i + 1] == '\n' ? 2 : 3);
            break;
        }
    }
    if (!end) {
        if (len >= HTTP_MAX_HEAD) return 431;
        return NEED_MORE;
    }
    if (end - buf > HTTP_MAX_HEAD) return 431;
    h->head_len = (size_t)(end - buf);

    int conn_close = 0, conn_keep = 0, has_host = 0;
    char *p = buf;
    for (int line = 0; p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl;
        if (e > p && e[-1] == '\r') e--;
        if (e == p) break;
        *e = '\0';
        if (line == 0) {
            int st = parse_request_line(p, e, r);
            if (st) return st;
        } else {
            if (*p == ' ' || *p == '\t') return 400;
            char *colon = memchr(p, ':', (size_t)(e - p));
            if (!colon || colon == p) return 400;
            for (char *c = p; c < colon; c++)
                if (!is_tchar((unsigned char)*c)) return 400;
            if (r->nheaders == HTTP_MAX_REQ_HEADERS) return 431;
            *colon = '\0';
            char *value = trim(colon + 1, e);
            r->header_name[r->nheaders] = p;
            r->header_value[r->nheaders++] = value;
            if (strcasecmp(p, "Content-Length") == 0) {
                long long v = 0;
                if (!*value) return 400;
                for (char *c = value; *c; c++) {
                    if (!isdigit((unsigned char)*c) || v > (1LL << 40)) return 400;
                    v = v * 10 + (*c - '0');
                }
                if (h->content_length >= 0 && h->content_length != v) return 400;
                h->content_length = v;
            } else if (strcasecmp(p, "Transfer-Encoding") == 0) {
                /* Only Content-Length bodies: ask the client for one. */
                return has_token(value, "chunked") ? 411 : 501;
            } else if (strcasecmp(p, "Connection") == 0) {
                conn_close |= has_token(value, "close");
                conn_keep |= has_token(value, "keep-alive");
            } else if (strcasecmp(p, "Expect") == 0) {
                if (strcasecmp(value, "100-continue") != 0) return 417;
                h->expect_continue = 1;
            } else if (strcasecmp(p, "Host") == 0) {
                has_host = 1;
            }
        }
        p = nl + 1;
    }
    if (r->minor == 1 && !has_host) return 400;
    h->keep_alive = r->minor == 1 ? !conn_close : (conn_keep && !conn_close);
    if (h->content_length > HTTP_MAX_BODY) return 413;
    return 0;
}

const char *http_request_header(const http_request *req, const char *name) {
    for (int i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->header_name[i], name) == 0) return req->header_value[i];
    return NULL;
}

/* ---- responses ---------------------------------------------------------- */

void http_response_status(http_response *w, int status) {
    if (status >= 100 && status <= 999) w->status = status;
}

int http_response_header(http_response *w, const char *name, const char *value) {
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) return -1;
    size_t need = strlen(name) + strlen(value) + 4;
    if (w->head_len + need >= sizeof w->head) return -1;
    w->head_len += (size_t)snprintf(w->head + w->head_len, sizeof w->head - w->head_len,
                                    "%s: %s\r\n", name, value);
    if (strcasecmp(name, "Content-Type") == 0) w->has_type = 1;
    return 0;
}

static int reserve(http_response *w, size_t more) {
    if (w->body_len + more <= w->body_cap) return 0;
    size_t cap = w->body_cap ? w->body_cap : 4096;
    while (cap < w->body_len + more) cap *= 2;
    char *b = realloc(w->body, cap);
    if (!b) return -1;
    w->body = b;
    w->body_cap = cap;
    return 0;
}

int http_response_write(http_response *w, const void *data, size_t len) {
    if (reserve(w, len) != 0) return -1;
    memcpy(w->body + w->body_len, data, len);
    w->body_len += len;
    return 0;
}

int http_response_printf(http_response *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(w, (size_t)n + 1) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf(w->body + w->body_len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->body_len += (size_t)n;
    return 0;
}

static void response_reset(http_response *w) {
    w->status = 200;
    w->has_type = 0;
    w->head_len = 0;
    w->body_len = 0;
}

static int send_all(int fd, const char *p, size_t len, int more) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Sends w. Returns 0, or -1 when the client is gone. */
static int response_send(int fd, http_response *w, int minor, int keep_alive) {
    if (w->status >= 400 && w->body_len == 0)
        http_response_printf(w, "%d %s\n", w->status, http_status_text(w->status));
    char line[256];
    int n = snprintf(line, sizeof line,
                     "HTTP/1.%d %d %s\r\n%s%sContent-Length: %zu\r\n",
                     minor, w->status, http_status_text(w->status),
                     w->has_type ? "" : "Content-Type: text/plain; charset=utf-8\r\n",
                     !keep_alive ? "Connection: close\r\n"
                     : minor == 0 ? "Connection: keep-alive\r\n" : "",
                     w->body_len);
    if (send_all(fd, line, (size_t)n, 1) != 0) return -1;
    if (send_all(fd, w->head, w->head_len, 1) != 0) return -1;
    if (send_all(fd, "\r\n", 2, w->body_len > 0) != 0) return -1;
    return w->body_len ? send_all(fd, w->body, w->body_len, 0) : 0;
}

/* ---- workers ------------------------------------------------------------ */

typedef struct worker_buf {
    char *data;
    size_t len, cap;
    http_response w;
} worker_buf;

/* Reads more bytes into b, waiting until deadline. Returns 1 when bytes
 * came, 0 on end of stream, -1 on error or timeout. */
static int read_more(int fd, worker_buf *b, long long deadline) {
    if (b->len + 1 >= b->cap) { /* one byte stays free for a NUL */
        size_t cap = b->cap * 2;
        if (cap > HTTP_MAX_HEAD + HTTP_MAX_BODY + 1) cap = HTTP_MAX_HEAD + HTTP_MAX_BODY + 1;
        if (cap == b->cap) return -1;
        char *d = realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t n = recv(fd, b->data + b->len, b->cap - b->len - 1, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) return -1;
        b->len += (size_t)n;
        return n > 0;
    }
}

/* Grows b to cap bytes before the body is read, so read_more never moves
 * the buffer under req's pointers; req is re-pointed into the new buffer. */
static int grow_keeping(worker_buf *b, size_t cap, http_request *req) {
    size_t off_method = (size_t)(req->method - b->data);
    size_t off_path = (size_t)(req->path - b->data);
    size_t off_query = req->query[0] ? (size_t)(req->query - b->data) : 0;
    size_t off_name[HTTP_MAX_REQ_HEADERS], off_value[HTTP_MAX_REQ_HEADERS];
    for (int i = 0; i < req->nheaders; i++) {
        off_name[i] = (size_t)(req->header_name[i] - b->data);
        off_value[i] = (size_t)(req->header_value[i] - b->data);
    }
    char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
    req->method = d + off_method;
    req->path = d + off_path;
    if (off_query) req->query = d + off_query;
    for (int i = 0; i < req->nheaders; i++) {
        req->header_name[i] = d + off_name[i];
        req->header_value[i] = d + off_value[i];
    }
    return 0;
}

static void send_error(int fd, http_response *w, int status) {
    response_reset(w);
    w->status = status;
    response_send(fd, w, 1, 0);
}

/* Serves requests on fd while its bytes last. Returns 1 to give the
 * connection back to the poller, 0 to close it. */
static int serve_conn(http_server *s, int fd, worker_buf *b) {
    for (;;) {
        http_request req;
        head_info h;
        long long deadline = now_ms() + HTTP_READ_TIMEOUT_MS;
        int st;
        /* parse_head writes NULs only once the head is complete, so
         * re-parsing a growing buffer is safe. */
        while ((st = parse_head(b->data, b->len, &req, &h)) == NEED_MORE) {
            int r = read_more(fd, b, deadline);
            if (r <= 0) {
                if (r < 0 && b->len > 0) send_error(fd, &b->w, 408);
                return 0;
            }
        }
        if (st != 0) {
            send_error(fd, &b->w, st);
            return 0;
        }
        size_t clen = h.content_length > 0 ? (size_t)h.content_length : 0;
        size_t need = h.head_len + clen;
        if (h.expect_continue && b->len < need &&
            send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, 0) != 0)
            return 0;
        if (need + 1 > b->cap && grow_keeping(b, need + 1, &req) != 0) {
            send_error(fd, &b->w, 500);
            return 0;
        }
        while (b->len < need) {
            if (read_more(fd, b, deadline) <= 0) return 0;
        }
        /* The body is NUL-terminated for the handler; keep the byte that
         * the terminator overwrites (the next pipelined request's first). */
        char saved = b->data[need];
        b->data[need] = '\0';
        req.body = b->data + h.head_len;
        req.body_len = clen;

        response_reset(&b->w);
        s->fn(&req, &b->w, s->arg);
        b->data[need] = saved;

        pthread_mutex_lock(&s->lock);
        int keep = h.keep_alive && !s->stopping;
        pthread_mutex_unlock(&s->lock);
        if (response_send(fd, &b->w, req.minor, keep) != 0 || !keep) return 0;

        memmove(b->data, b->data + need, b->len - need);
        b->len -= need;
        if (b->len == 0) return 1;
    }
}

static int queue_pop(http_server *s) {
    pthread_mutex_lock(&s->lock);
    while (s->qlen == 0 && !s->stopping) pthread_cond_wait(&s->ready, &s->lock);
    int fd = -1;
    if (s->qlen > 0) {
        fd = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % HTTP_MAX_CONNS;
        s->qlen--;
    }
    pthread_mutex_unlock(&s->lock);
    return fd;
}

static void conn_close(http_server *s, int fd) {
    pthread_mutex_lock(&s->lock);
    s->conns[fd].state = FREE;
    s->nconns--;
    pthread_mutex_unlock(&s->lock);
    close(fd);
}

static void *worker_main(void *arg) {
    http_server *s = arg;
    worker_buf b = {0};
    b.cap = 16384;
    b.data = malloc(b.cap);
    if (!b.data) return NULL;
    int fd;
    while ((fd = queue_pop(s)) >= 0) {
        b.len = 0;
        if (!serve_conn(s, fd, &b)) {
            conn_close(s, fd);
            continue;
        }
        pthread_mutex_lock(&s->lock);
        int stopping = s->stopping;
        if (!stopping) {
            s->conns[fd].state = IDLE;
            s->conns[fd].last_ms = now_ms();
        }
        pthread_mutex_unlock(&s->lock);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
                                 .data.fd = fd};
        if (stopping || epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
            conn_close(s, fd);
    }
    free(b.data);
    free(b.w.body);
    return NULL;
}

/* ---- the poller --------------------------------------------------------- */

static void refuse(int fd) {
    static const char r[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n";
    send(fd, r, sizeof r - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
}

static void accept_all(http_server *s) {
    for (;;) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN: done; EMFILE and others: next round */
        pthread_mutex_lock(&s->lock);
        int ok = fd < MAX_FD && s->nconns < HTTP_MAX_CONNS;
        if (ok) {
            s->nconns++;
            s->conns[fd].state = IDLE;
            s->conns[fd].last_ms = now_ms();
        }
        pthread_mutex_unlock(&s->lock);
        if (!ok) {
            refuse(fd);
            continue;
        }
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
                                 .data.fd = fd};
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) conn_close(s, fd);
    }
}

/* Closes idle connections past HTTP_IDLE_TIMEOUT_MS (poller only). */
static void sweep_idle(http_server *s) {
    long long now = now_ms();
    pthread_mutex_lock(&s->lock);
    for (int fd = 0; fd < MAX_FD && s->nconns > 0; fd++) {
        if (s->conns[fd].state == IDLE &&
            now - s->conns[fd].last_ms > HTTP_IDLE_TIMEOUT_MS) {
            s->conns[fd].state = FREE;
            s->nconns--;
            close(fd);
        }
    }
    pthread_mutex_unlock(&s->lock);
}

static void *poller_main(void *arg) {
    http_server *s = arg;
    struct epoll_event evs[64];
    long long last_sweep = now_ms();
    for (;;) {
        int n = epoll_wait(s->epfd, evs, 64, 1000);
        if (n < 0 && errno != EINTR) break;
        int stop = 0;
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == s->wakefd) {
                stop = 1;
            } else if (fd == s->listen_fd) {
                accept_all(s);
            } else {
                pthread_mutex_lock(&s->lock);
                s->conns[fd].state = BUSY;
                s->queue[(s->qhead + s->qlen) % HTTP_MAX_CONNS] = fd;
                s->qlen++;
                pthread_cond_signal(&s->ready);
                pthread_mutex_unlock(&s->lock);
            }
        }
        if (stop) break;
        if (now_ms() - last_sweep >= 1000) {
            sweep_idle(s);
            last_sweep = now_ms();
        }
    }
    return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

/* "host:port", ":port", "port", "[v6]:port"; no host means 127.0.0.1. */
static int open_listener(const char *addr, int *port) {
    char host[256] = "127.0.0.1", serv[8];
    const char *p = addr, *colon;
    if (addr[0] == '[') {
        const char *close_br = strchr(addr, ']');
        if (!close_br || close_br[1] != ':' || close_br - addr - 1 >= (long)sizeof host)
            return errno = EINVAL, -1;
        memcpy(host, addr + 1, (size_t)(close_br - addr - 1));
        host[close_br - addr - 1] = '\0';
        p = close_br + 2;
    } else if ((colon = strrchr(addr, ':')) != NULL) {
        if (colon - addr >= (long)sizeof host) return errno = EINVAL, -1;
        if (colon > addr) {
            memcpy(host, addr, (size_t)(colon - addr));
            host[colon - addr] = '\0';
        }
        p = colon + 1;
    }
    size_t pl = strlen(p);
    if (pl == 0 || pl > 5 || strspn(p, "0123456789") != pl || atoi(p) > 65535)
        return errno = EINVAL, -1;
    memcpy(serv, p, pl + 1);

    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host, serv, &hints, &res) != 0) return errno = EADDRNOTAVAIL, -1;
    int fd = -1, err = EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 512) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) return errno = err, -1;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char ps[8] = "0";
    getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, ps, sizeof ps, NI_NUMERICSERV);
    *port = atoi(ps);
    return fd;
}

static void free_server(http_server *s) {
    if (s->listen_fd >= 0) close(s->listen_fd);
    if (s->epfd >= 0) close(s->epfd);
    if (s->wakefd >= 0) close(s->wakefd);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->ready);
    free(s->conns);
    free(s->workers);
    free(s);
}

http_server *http_server_start(const char *addr, int workers, http_handler fn,
                               void *arg) {
    if (!addr || !fn || workers < 1 || workers > 256) {
        errno = EINVAL;
        return NULL;
    }
    http_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->listen_fd = s->epfd = s->wakefd = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->ready, NULL);
    s->fn = fn;
    s->arg = arg;
    s->conns = calloc(MAX_FD, sizeof *s->conns);
    s->workers = calloc((size_t)workers, sizeof *s->workers);
    int err = ENOMEM;
    if (!s->conns || !s->workers) goto fail;
    if ((s->listen_fd = open_listener(addr, &s->port)) < 0 ||
        (s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
        (s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        err = errno;
        goto fail;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->listen_fd};
    struct epoll_event wev = {.events = EPOLLIN, .data.fd = s->wakefd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev) != 0 ||
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &wev) != 0) {
        err = errno;
        goto fail;
    }
    for (; s->nworkers < workers; s->nworkers++) {
        if ((err = pthread_create(&s->workers[s->nworkers], NULL, worker_main, s)) != 0)
            break;
    }
    if (s->nworkers == workers &&
        (err = pthread_create(&s->poller, NULL, poller_main, s)) == 0)
        return s;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->ready);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->nworkers; i++) pthread_join(s->workers[i], NULL);
fail:
    free_server(s);
    errno = err;
    return NULL;
}

int http_server_port(const http_server *s) { return s->port; }

void http_server_stop(http_server *s) {
    if (!s) return;
    uint64_t one = 1;
    while (write(s->wakefd, &one, sizeof one) < 0 && errno == EINTR) {}
    pthread_join(s->poller, NULL);
    close(s->listen_fd);
    s->listen_fd = -1;

    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->ready);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->nworkers; i++) pthread_join(s->workers[i], NULL);

    for (int fd = 0; fd < MAX_FD && s->nconns > 0; fd++) {
        if (s->conns[fd].state != FREE) {
            close(fd);
            s->nconns--;
        }
    }
    free_server(s);
}
