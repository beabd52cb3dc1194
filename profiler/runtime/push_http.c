/* push_http.c: the push agent's HTTP client (push_http.h): resolve,
 * connect without blocking, send the head and the body pieces, read the
 * status line and a little of the body, close.
 *
 * Invariants: the socket is non-blocking and every wait is a poll bounded
 * by one deadline, so a slow or silent server costs the agent's thread at
 * most timeout_ms (name lookup excepted: getaddrinfo has no timeout; use a
 * numeric address or /etc/hosts when that matters). Nothing is kept
 * between calls: each upload is one connection.
 */
#include "push_http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_MAX 4096

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 1 ready, 0 timed out, -1. */
static int wait_fd(int fd, short events, long long deadline) {
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd pf = {fd, events, 0};
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 0;
        return 1;
    }
}

static int connect_to(const push_target *t, long long deadline, char *err, size_t errlen) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(t->host, t->port, &hints, &res);
    if (g != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", t->host, gai_strerror(g));
        return -1;
    }
    int fd = -1, last = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            int r = wait_fd(fd, POLLOUT, deadline);
            int so = 0;
            socklen_t sl = sizeof so;
            if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) == 0 && so == 0) break;
            last = r == 0 ? ETIMEDOUT : so ? so : errno;
        } else {
            last = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "connect to %s: %s", t->host_hdr, strerror(last ? last : EIO));
    return fd;
}

static int send_all(int fd, const void *data, size_t len, long long deadline) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r == 1) continue;
            errno = r == 0 ? ETIMEDOUT : errno;
        }
        return -1;
    }
    return 0;
}

/* The status of "HTTP/1.x SSS ...", or -1. */
static int parse_status(const char *a, size_t n) {
    if (n < 12 || strncmp(a, "HTTP/1.", 7) != 0 || a[8] != ' ') return -1;
    int s = 0;
    for (int i = 9; i < 12; i++) {
        if (a[i] < '0' || a[i] > '9') return -1;
        s = s * 10 + (a[i] - '0');
    }
    return s >= 100 && s <= 599 ? s : -1;
}

/* The first line of the body of a complete-enough answer, into err. */
static void body_line(const char *a, size_t n, int status, char *err, size_t errlen) {
    const char *b = memmem(a, n, "\r\n\r\n", 4);
    const char *text = "";
    size_t tl = 0;
    if (b) {
        text = b + 4;
        tl = strcspn(text, "\r\n");
        if (tl > 200) tl = 200;
    }
    snprintf(err, errlen, "server answered %d%s%.*s", status, tl ? ": " : "", (int)tl, text);
}

int push_http_post(const push_target *t, const char *query, const char *content_type,
                   const push_piece *pieces, size_t npieces, int timeout_ms, char *err,
                   size_t errlen) {
    long long deadline = now_ms() + timeout_ms;
    size_t total = 0;
    for (size_t i = 0; i < npieces; i++) total += pieces[i].len;
    size_t hl = strlen(t->path) + strlen(query) + strlen(t->host_hdr) + strlen(content_type) + 200;
    char *head = malloc(hl);
    if (!head) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int n = snprintf(head, hl,
                     "POST %s?%s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "User-Agent: cpuprof-push/1\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n"
                     "\r\n",
                     t->path, query, t->host_hdr, content_type, total);
    int fd = connect_to(t, deadline, err, errlen);
    if (fd < 0) {
        free(head);
        return -1;
    }
    int ok = send_all(fd, head, (size_t)n, deadline) == 0;
    free(head);
    for (size_t i = 0; ok && i < npieces; i++)
        ok = send_all(fd, pieces[i].data, pieces[i].len, deadline) == 0;
    if (!ok) {
        snprintf(err, errlen, "send to %s: %s", t->host_hdr,
                 errno == ETIMEDOUT ? "timed out" : strerror(errno));
        close(fd);
        return -1;
    }

    /* Read until the status line and, for an error, a bit of its body. */
    char a[ANSWER_MAX + 1];
    size_t got = 0;
    int status = -1;
    for (;;) {
        if (got >= 12 && status < 0) status = parse_status(a, got);
        if (got >= 12 && status < 0) break;
        if (status >= 200 && status < 300) break;
        if (status > 0) { /* an error: its head and the start of its body do */
            const char *e = memmem(a, got, "\r\n\r\n", 4);
            if (e && (size_t)(e + 4 - a) < got) break;
        }
        if (got == ANSWER_MAX) break;
        int r = wait_fd(fd, POLLIN, deadline);
        if (r <= 0) break;
        ssize_t m = recv(fd, a + got, ANSWER_MAX - got, 0);
        if (m < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (m <= 0) break;
        got += (size_t)m;
    }
    close(fd);
    a[got] = '\0';
    if (got >= 12 && status < 0) status = parse_status(a, got);
    if (status < 0) {
        if (got == 0) snprintf(err, errlen, "no answer from %s within %d ms", t->host_hdr, timeout_ms);
        else snprintf(err, errlen, "the answer from %s is not HTTP", t->host_hdr);
        return -1;
    }
    if (status < 200 || status >= 300) body_line(a, got, status, err, errlen);
    return status;
}
