/* fetch.c: remote capture: FILE given as an http:// URL.
 *
 *   cpuprof -top http://127.0.0.1:6060/debug/pprof/profile?seconds=10
 *
 * A minimal HTTP/1.1 GET client on plain sockets (http only: there is no
 * TLS here, so https:// is refused with a hint). The request asks the
 * server to close the connection, so the answer is read to end of file and
 * then parsed: status line, headers, and a body delimited by Content-Length,
 * by chunked encoding, or by the end of the connection.
 *
 * The whole exchange has one deadline: the capture's seconds (the URL's
 * `seconds` parameter, else the endpoint's default of 30) plus 30 seconds.
 * A URL with no path asks for /debug/pprof/profile, as pprof does.
 *
 * The profile received is parsed (so garbage fails with libprofile's
 * message), then saved as pprof saves fetched profiles: in $CPUPROF_DIR, or
 * else $HOME/pprof, named pprof.<program>.<type>.<type>....NNN.pb.gz with
 * the first unused NNN from 001 (the file is created with O_EXCL, so two
 * runs never share a name). The analyzer then reads the saved copy.
 *
 * Bounds: URL 2 KiB, response head 64 KiB, body 256 MiB.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"

#define MAX_URL 2048
#define MAX_HEAD (64 * 1024)
#define MAX_BODY ((size_t)256 << 20)
#define DEFAULT_SECONDS 30
#define EXTRA_SECONDS 30

typedef struct url {
    char host[256];
    char port[8];
    char target[MAX_URL]; /* path and query */
} url;

bool fetch_is_url(const char *arg) {
    return strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) == 0;
}

static int parse_url(const char *s, url *u, char *err, size_t errlen) {
    if (strlen(s) >= MAX_URL) {
        snprintf(err, errlen, "URL longer than %d bytes", MAX_URL);
        return -1;
    }
    if (strncmp(s, "https://", 8) == 0) {
        snprintf(err, errlen, "%s: https is not supported, only http:// (for a remote host, "
                              "forward its port with ssh -L and fetch from 127.0.0.1)", s);
        return -1;
    }
    const char *h = s + 7, *end = h + strcspn(h, "/?#");
    const char *colon;
    size_t hlen;
    if (*h == '[') { /* [v6]:port */
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb) goto bad;
        hlen = (size_t)(rb - h - 1);
        if (hlen == 0 || hlen >= sizeof(u->host)) goto bad;
        memcpy(u->host, h + 1, hlen);
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        if (!colon && rb + 1 != end) goto bad;
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        hlen = (size_t)((colon ? colon : end) - h);
        if (hlen == 0 || hlen >= sizeof(u->host)) goto bad;
        memcpy(u->host, h, hlen);
    }
    u->host[hlen] = '\0';
    if (colon) {
        size_t plen = (size_t)(end - colon - 1);
        if (plen == 0 || plen > 5 || strspn(colon + 1, "0123456789") < plen) goto bad;
        memcpy(u->port, colon + 1, plen);
        u->port[plen] = '\0';
        if (atoi(u->port) < 1 || atoi(u->port) > 65535) goto bad;
    } else {
        snprintf(u->port, sizeof(u->port), "80");
    }
    const char *rest = end;
    size_t rlen = strcspn(rest, "#");
    if (rlen == 0 || (rlen == 1 && rest[0] == '/'))
        snprintf(u->target, sizeof(u->target), "/debug/pprof/profile");
    else if (rest[0] == '?')
        snprintf(u->target, sizeof(u->target), "/debug/pprof/profile%.*s", (int)rlen, rest);
    else
        snprintf(u->target, sizeof(u->target), "%.*s", (int)rlen, rest);
    for (const char *c = u->target; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f) goto bad;
    return 0;
bad:
    snprintf(err, errlen, "%s: not a valid http://host[:port]/path URL", s);
    return -1;
}

/* The capture length the URL asks for: its seconds= parameter, else 30. */
static long url_seconds(const url *u) {
    const char *q = strchr(u->target, '?');
    while (q) {
        q++;
        if (strncmp(q, "seconds=", 8) == 0) {
            char *end;
            long n = strtol(q + 8, &end, 10);
            if (end != q + 8 && (*end == '\0' || *end == '&') && n > 0 && n <= 24 * 3600)
                return n;
        }
        q = strchr(q, '&');
    }
    return DEFAULT_SECONDS;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for events on fd until the deadline; 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, double deadline) {
    for (;;) {
        double left = deadline - now();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, left > 1e6 ? 1000000000 : (int)(left * 1000) + 1);
        if (rc < 0 && errno == EINTR) continue;
        return rc < 0 ? -1 : rc > 0;
    }
}

static int connect_to(const url *u, double deadline, char *err, size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    int rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", u->host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, last = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            int ready = wait_fd(fd, POLLOUT, deadline);
            int soerr = ready > 0 ? 0 : ETIMEDOUT;
            socklen_t sl = sizeof(soerr);
            if (ready > 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            if (soerr == 0) break;
            last = soerr;
        } else {
            last = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot connect to %s:%s: %s", u->host, u->port, strerror(last));
    return fd;
}

static int send_all(int fd, const char *buf, size_t len, double deadline) {
    while (len > 0) {
        if (wait_fd(fd, POLLOUT, deadline) <= 0) return -1;
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until the server closes; the whole answer in *out (malloc'ed). */
static int read_all_sock(int fd, double deadline, long seconds, unsigned char **out,
                         size_t *outlen, char *err, size_t errlen) {
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) goto nomem;
    for (;;) {
        int ready = wait_fd(fd, POLLIN, deadline);
        if (ready == 0) {
            snprintf(err, errlen, "no complete answer within %ld seconds (the capture's %ld "
                                  "plus %d)", seconds + EXTRA_SECONDS, seconds, EXTRA_SECONDS);
            goto fail;
        }
        if (ready < 0) goto ioerr;
        if (len == cap) {
            if (cap >= MAX_BODY + MAX_HEAD) {
                snprintf(err, errlen, "answer larger than %zu MiB", MAX_BODY >> 20);
                goto fail;
            }
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) goto nomem;
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) goto ioerr;
        if (n == 0) break;
        len += (size_t)n;
    }
    *out = buf;
    *outlen = len;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory reading the answer");
    goto fail;
ioerr:
    snprintf(err, errlen, "reading the answer: %s", strerror(errno));
fail:
    free(buf);
    return -1;
}

/* The value of header `name` in head (NUL-terminated, lines end "\r\n"),
 * copied into val; 0 when found. */
static int header(const char *head, const char *name, char *val, size_t len) {
    size_t nlen = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        const char *h = l + 2;
        if (strncasecmp(h, name, nlen) != 0 || h[nlen] != ':') continue;
        h += nlen + 1;
        while (*h == ' ' || *h == '\t') h++;
        size_t n = strcspn(h, "\r");
        while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t')) n--;
        snprintf(val, len, "%.*s", (int)n, h);
        return 0;
    }
    return -1;
}

/* Decodes a chunked body in place; its decoded length, or -1. */
static long dechunk(unsigned char *b, size_t len) {
    size_t in = 0, out = 0;
    for (;;) {
        char *end;
        if (in >= len || !isxdigit(b[in])) return -1;
        errno = 0;
        unsigned long n = strtoul((const char *)b + in, &end, 16);
        size_t at = (size_t)((unsigned char *)end - b);
        if (errno || at > len) return -1;
        unsigned char *crlf = memchr(b + at, '\n', len - at); /* skips extensions */
        if (!crlf) return -1;
        in = (size_t)(crlf - b) + 1;
        if (n == 0) return (long)out;
        if (n > len - in || n > LONG_MAX) return -1;
        memmove(b + out, b + in, n);
        out += n;
        in += n;
        if (in + 2 > len || b[in] != '\r' || b[in + 1] != '\n') return -1;
        in += 2;
    }
}

/* GETs u; on 200 the body in *body (malloc'ed). */
static int http_get(const char *text, const url *u, unsigned char **body, size_t *bodylen,
                    char *err, size_t errlen) {
    long seconds = url_seconds(u);
    double deadline = now() + (double)(seconds + EXTRA_SECONDS);
    int fd = connect_to(u, deadline, err, errlen);
    if (fd < 0) return -1;
    char req[MAX_URL + 512];
    bool v6 = strchr(u->host, ':') != NULL;
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: cpuprof\r\n"
                     "Accept: */*\r\nConnection: close\r\n\r\n",
                     u->target, v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
    if (send_all(fd, req, (size_t)n, deadline) < 0) {
        snprintf(err, errlen, "sending the request to %s:%s failed", u->host, u->port);
        close(fd);
        return -1;
    }
    unsigned char *buf;
    size_t len;
    int rc = read_all_sock(fd, deadline, seconds, &buf, &len, err, errlen);
    close(fd);
    if (rc < 0) return -1;

    /* Head: the status line and headers, up to the blank line. */
    unsigned char *eoh = NULL;
    for (size_t i = 0; i + 3 < len && i < MAX_HEAD; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            eoh = buf + i;
            break;
        }
    int status = 0;
    char reason[128] = "", proto[16] = "";
    if (!eoh || sscanf((const char *)buf, "%15[^ ] %3d", proto, &status) != 2 ||
        strncmp(proto, "HTTP/1.", 7) != 0 || status < 100 || status > 599) {
        snprintf(err, errlen, "%s: not an HTTP answer (%zu bytes received)", text, len);
        free(buf);
        return -1;
    }
    *eoh = '\0';
    const char *sp = strchr((const char *)buf, ' ');
    if (sp && (sp = strchr(sp + 1, ' '))) snprintf(reason, sizeof(reason), " %s", sp + 1);
    reason[strcspn(reason, "\r\n")] = '\0';
    unsigned char *b = eoh + 4;
    size_t blen = len - (size_t)(b - buf);
    char val[64];
    if (header((const char *)buf, "Transfer-Encoding", val, sizeof(val)) == 0) {
        long dl = strcasecmp(val, "chunked") == 0 ? dechunk(b, blen) : -1;
        if (dl < 0) {
            snprintf(err, errlen, "%s: bad chunked body (Transfer-Encoding: %s)", text, val);
            free(buf);
            return -1;
        }
        blen = (size_t)dl;
    } else if (header((const char *)buf, "Content-Length", val, sizeof(val)) == 0) {
        char *end;
        unsigned long long cl = strtoull(val, &end, 10);
        if (!val[0] || *end || cl > blen) {
            snprintf(err, errlen, "%s: connection closed after %zu of %s body bytes", text,
                     blen, val);
            free(buf);
            return -1;
        }
        blen = (size_t)cl;
    }
    if (status != 200) {
        size_t l = 0;
        while (l < blen && l < 200 && b[l] != '\n' && b[l] != '\r') l++;
        snprintf(err, errlen, "%s: server answered %d%s%s%.*s", text, status, reason,
                 l ? ": " : "", (int)l, (const char *)b);
        for (char *c = err; *c; c++)
            if ((unsigned char)*c < ' ') *c = ' ';
        free(buf);
        return -1;
    }
    *body = malloc(blen ? blen : 1);
    if (!*body) {
        free(buf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(*body, b, blen);
    *bodylen = blen;
    free(buf);
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *dir, char *err, size_t errlen) {
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", dir);
    for (char *c = path + 1;; c++) {
        if (*c != '/' && *c != '\0') continue;
        char saved = *c;
        *c = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        *c = saved;
        if (!saved) return 0;
    }
}

/* Saves data under pprof's name; *saved gets the path (malloc'ed). */
static int save_copy(const profile *p, const unsigned char *data, size_t len, char **saved,
                     char *err, size_t errlen) {
    char dir[PATH_MAX], prefix[512];
    const char *env = getenv("CPUPROF_DIR"), *home = getenv("HOME");
    if (env && env[0])
        snprintf(dir, sizeof(dir), "%s", env);
    else if (home && home[0])
        snprintf(dir, sizeof(dir), "%s/pprof", home);
    else
        snprintf(dir, sizeof(dir), "/tmp");
    if (make_dirs(dir, err, errlen) < 0) return -1;
    size_t n = (size_t)snprintf(prefix, sizeof(prefix), "pprof.");
    if (p->nmappings > 0 && p->mappings[0]->file[0]) {
        const char *base = strrchr(p->mappings[0]->file, '/');
        n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "%.100s.",
                              base ? base + 1 : p->mappings[0]->file);
    }
    for (size_t i = 0; i < p->nsample_types && n < sizeof(prefix) - 64; i++)
        n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "%.40s.", p->sample_types[i].type);
    for (char *c = prefix; *c; c++)
        if (*c == '/') *c = '_';
    char path[PATH_MAX + 600];
    int fd = -1;
    for (int i = 1; i < 10000 && fd < 0; i++) {
        snprintf(path, sizeof(path), "%s/%s%03d.pb.gz", dir, prefix, i);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
    }
    if (fd < 0) {
        snprintf(err, errlen, "no free file name for %s*.pb.gz in %s", prefix, dir);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    if (close(fd) < 0 || off < len) {
        snprintf(err, errlen, "writing %s failed", path);
        unlink(path);
        return -1;
    }
    *saved = strdup(path);
    return *saved ? 0 : -1;
}

int fetch_profile(const char *text, char **saved, char *err, size_t errlen) {
    url u;
    if (parse_url(text, &u, err, errlen) < 0) return -1;
    fprintf(stderr, "Fetching profile over HTTP from %s\n", text);
    unsigned char *body;
    size_t len;
    if (http_get(text, &u, &body, &len, err, errlen) < 0) return -1;
    profile *p;
    char perr[256];
    if (profile_parse(body, len, &p, perr, sizeof(perr)) < 0) {
        snprintf(err, errlen, "%s: the answer is not a profile: %s", text, perr);
        free(body);
        return -1;
    }
    int rc;
    if (len >= 2 && body[0] == 0x1f && body[1] == 0x8b) {
        rc = save_copy(p, body, len, saved, err, errlen);
    } else { /* a raw profile.proto: saved gzipped, as its name says */
        uint8_t *gz;
        size_t gzlen;
        rc = profile_encode(p, &gz, &gzlen, err, errlen);
        if (rc == 0) {
            rc = save_copy(p, gz, gzlen, saved, err, errlen);
            free(gz);
        }
    }
    profile_free(p);
    free(body);
    if (rc == 0) fprintf(stderr, "Saved profile in %s\n", *saved);
    return rc;
}
